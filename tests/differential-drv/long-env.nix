derivation { name = "longenv"; system = "x86_64-linux"; builder = "/bin/sh"; big = builtins.concatStringsSep "," (builtins.genList toString 2000); }
