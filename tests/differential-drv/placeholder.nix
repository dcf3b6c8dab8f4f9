derivation { name = "ph"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "bin" ]; cmd = "${placeholder "out"} ${placeholder "bin"}"; }
