derivation { name = "sa-path"; system = "x86_64-linux"; builder = "/bin/sh"; __structuredAttrs = true; src = ./data/a.txt; dir = ./data/sub; }
