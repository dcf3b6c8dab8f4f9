derivation { name = "nonutf8"; system = "x86_64-linux"; builder = "/bin/sh"; v = "café ÿþ"; args = [ "Ã(" ]; }
