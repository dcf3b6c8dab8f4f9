let
  t = throw "never forced";
  f = x: x;
in
[
  ([ 1 t ] == [ 2 t ])
  ([ t ] == [ ])
  ({ a = t; } == { })
  ({ a = t; } == { b = 1; })
  ({ a = 1; b = t; } == { a = 1; c = t; })
  ([ 1 t ] < [ 2 t ])
  ([ 1 ] < [ 1 t ])
  ([ t ] < [ ])
  ([ ] < [ t ])
  ({ type = "derivation"; outPath = "a"; x = t; } == { type = "derivation"; outPath = "a"; x = 2; })
  ({ type = "derivation"; outPath = "a"; } == { type = "derivation"; outPath = "b"; })
  ([ f 1 ] == [ f 1 ])
  ({ inherit f; g = [ f ]; } == { inherit f; g = [ f ]; })
  ([ map ] == [ builtins.map ])
  (builtins.add 1 == builtins.add 1)
]
