derivation { name = "coerce"; system = "x86_64-linux"; builder = "/bin/sh"; i = 42; neg = -1; f = 1.5; t = true; fa = false; n = null; l = [ 1 "two" [ 3 [ ] 4 ] null true ]; }
