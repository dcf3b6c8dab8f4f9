[ (3037000499 * 3037000499) (builtins.mul (-1) 9223372036854775807) (builtins.mul 2 0.5) (builtins.mul 0 (-5)) ]
