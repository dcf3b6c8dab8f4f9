builtins.length (map (throw "map checks its function on a non-empty list") [ 1 ])
