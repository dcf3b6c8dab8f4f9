builtins.hashString "sha256" (builtins.concatStringsSep "" (builtins.genList (i: "x") 1000))
