let a = builtins.toFile "a" "A"; b = builtins.toFile "b" "uses ${a}"; in derivation { name = "tftf"; system = "x86_64-linux"; builder = "/bin/sh"; inherit b; }
