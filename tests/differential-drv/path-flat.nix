derivation { name = "pathflat"; system = "x86_64-linux"; builder = "/bin/sh"; src = builtins.path { path = ./data/a.txt; recursive = false; }; }
