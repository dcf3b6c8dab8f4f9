derivation { name = "argsm"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ 1 2.5 true null [ "x" "y" ] ./data/a.txt ]; }
