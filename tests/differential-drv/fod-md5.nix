derivation { name = "fodmd5"; system = "x86_64-linux"; builder = "/bin/sh"; outputHash = "900150983cd24fb0d6963f7d28e17f72"; outputHashAlgo = "md5"; }
