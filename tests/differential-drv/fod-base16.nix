derivation { name = "fod-base16"; system = "x86_64-linux"; builder = "/bin/sh"; outputHash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; outputHashAlgo = "sha256"; }
