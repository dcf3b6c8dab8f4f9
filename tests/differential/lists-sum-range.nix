builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x + 1) 1000)
