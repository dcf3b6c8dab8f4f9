derivation { name = "tfsrc"; system = "x86_64-linux"; builder = "/bin/sh"; f = builtins.toFile "script" "cat ${./data/a.txt}"; }
