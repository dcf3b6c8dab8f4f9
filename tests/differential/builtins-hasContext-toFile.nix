[ (builtins.hasContext (builtins.toFile "a" "b")) (builtins.hasContext "${builtins.toFile "a" "b"}x") (builtins.hasContext "") ]
