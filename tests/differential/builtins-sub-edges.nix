[ (0 - (-9223372036854775807)) (builtins.sub 1.5 1) (builtins.sub 1 1.5) (builtins.sub (-1) 9223372036854775807) ]
