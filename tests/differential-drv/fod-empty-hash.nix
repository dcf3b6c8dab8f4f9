derivation { name = "fodempty"; system = "x86_64-linux"; builder = "/bin/sh"; outputHash = ""; outputHashAlgo = "sha256"; }
