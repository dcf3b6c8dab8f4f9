let p = builtins.toFile "a" "b"; in [ (builtins.hasContext (builtins.unsafeDiscardStringContext p)) (builtins.unsafeDiscardStringContext p == p) ]
