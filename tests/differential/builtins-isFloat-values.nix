map builtins.isFloat [ 1.0 1 "1.0" (1 / 2.0) 1e308 (0.0 - 0.0) null ]
