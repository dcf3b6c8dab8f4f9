[ (builtins.bitAnd (-1) 9223372036854775807) (builtins.bitAnd (-8) 7) (builtins.bitAnd 0 (-1)) ]
