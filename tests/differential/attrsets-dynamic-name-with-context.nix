let p = builtins.toFile "x" "y"; in { ${p} = 1; }
