derivation { name = "tfd"; system = "x86_64-linux"; builder = "/bin/sh"; f = builtins.toFile "x" "${derivation { name = "inner"; system = "x86_64-linux"; builder = "/bin/sh";  }}"; }
