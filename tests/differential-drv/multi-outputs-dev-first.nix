derivation { name = "multi2"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "dev" "out" ]; }
