derivation { name = "fetched"; system = "x86_64-linux"; builder = "/bin/sh"; src = builtins.fetchurl "file://${toString ./data/a.txt}"; }
