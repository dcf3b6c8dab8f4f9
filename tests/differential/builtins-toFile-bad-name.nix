builtins.toFile "a/b" "c"
