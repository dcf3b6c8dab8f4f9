derivation { name = "ign"; system = "x86_64-linux"; builder = "/bin/sh"; __ignoreNulls = true; a = null; b = "kept"; }
