# flags: --extra-experimental-features ca-derivations
derivation { name = "ca-flat"; system = "x86_64-linux"; builder = "/bin/sh"; __contentAddressed = true; outputHashMode = "flat"; outputHashAlgo = "sha1"; }
