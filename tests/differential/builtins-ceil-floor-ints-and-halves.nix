[ (builtins.ceil 5) (builtins.floor (-5)) (builtins.floor (-0.5)) (builtins.ceil (-0.5)) (builtins.ceil 2.5) (builtins.floor 2.5) (builtins.ceil 4503599627370497.0) ]
