builtins.concatStringsSep "" (builtins.genList toString 30)
