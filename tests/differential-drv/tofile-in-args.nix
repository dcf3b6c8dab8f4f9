derivation { name = "tfargs"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" (builtins.toFile "s.sh" "echo ${./data/a.txt}") ]; }
