builtins.hashString "md5" { outPath = "a"; }
