derivation { name = "srcdir"; system = "x86_64-linux"; builder = "/bin/sh"; src = ./data; }
