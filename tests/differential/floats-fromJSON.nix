builtins.fromJSON "[1.5, 1e3, -0.25, 10, 2.0, 1E-2]"
