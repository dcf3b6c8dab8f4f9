builtins.toFile "u" "λ→☃ \t tab"
