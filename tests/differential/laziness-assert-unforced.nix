let
  f = x: assert x > 0; x;
in
builtins.length [
  (f (-1))
  (f 1)
]
