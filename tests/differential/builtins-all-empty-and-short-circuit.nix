[ (builtins.all (x: x) [ ]) (builtins.all (x: x > 0) [ 1 (-1) (throw "not reached") ]) (builtins.any (x: x) [ true (throw "not reached") ]) (builtins.any (x: x) [ ]) ]
