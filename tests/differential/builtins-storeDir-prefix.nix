let p = builtins.toFile "a" "b"; in builtins.substring 0 (builtins.stringLength builtins.storeDir) p == builtins.storeDir
