builtins.fromJSON "[0, -1, 123456789012, -0, 1.0, 2e2, -1.5e-1]"
