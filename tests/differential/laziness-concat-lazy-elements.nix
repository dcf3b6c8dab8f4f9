builtins.length ([ (throw "a") ] ++ [ (throw "b") ] ++ [ 1 ])
