let
  compose = f: g: x: f (g x);
  double = x: x * 2;
  inc = x: x + 1;
in
[
  ((compose double inc) 3)
  ((compose inc double) 3)
  (builtins.foldl' compose (x: x) [ inc inc double ] 1)
]
