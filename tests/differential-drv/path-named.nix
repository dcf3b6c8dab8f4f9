derivation { name = "pathname"; system = "x86_64-linux"; builder = "/bin/sh"; src = builtins.path { path = ./data/sub; name = "renamed"; }; }
