# flags: --extra-experimental-features ca-derivations
derivation { name = "ca"; system = "x86_64-linux"; builder = "/bin/sh"; __contentAddressed = true; outputs = [ "out" "dev" ]; }
