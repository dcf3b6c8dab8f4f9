[ (builtins.div 7 (-2)) (builtins.div (-7) 2) (7 / 2) (builtins.div 7 2.0) (builtins.div 0 (-3)) ]
