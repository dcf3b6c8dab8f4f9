[ (builtins.bitOr (-9223372036854775807 - 1) 1) (builtins.bitOr 0 0) (builtins.bitOr 5 10) ]
