derivation { name = "sa-outs"; system = "x86_64-linux"; builder = "/bin/sh"; __structuredAttrs = true; outputs = [ "out" "doc" ]; }
