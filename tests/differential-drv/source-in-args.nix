derivation { name = "srcargs"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "sh ${./data/script.sh}" ]; }
