builtins.filter (x: x - x / 3 * 3 == 0) (map (x: x * x) (builtins.genList (x: x) 20))
