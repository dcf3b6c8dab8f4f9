derivation { name = "tfdots"; system = "x86_64-linux"; builder = "/bin/sh"; f = builtins.toFile "name.with.dots-1.0" ""; }
