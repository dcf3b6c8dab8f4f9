derivation { name = "fodrec1"; system = "x86_64-linux"; builder = "/bin/sh"; outputHash = "a9993e364706816aba3e25717850c26c9cd0d89d"; outputHashAlgo = "sha1"; outputHashMode = "recursive"; }
