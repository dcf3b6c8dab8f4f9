derivation { name = "fsrc"; system = "x86_64-linux"; builder = "/bin/sh"; src = builtins.filterSource (p: t: t != "directory") ./data; }
