builtins.length (builtins.foldl' (acc: i: acc ++ [ i ]) [ ] (builtins.genList (x: x) 500))
