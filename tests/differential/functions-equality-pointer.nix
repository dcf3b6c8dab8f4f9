let
  f = x: x;
  s = { inherit f; };
in
[
  ([ f ] == [ f ])
  (f == f)
  ({ a = f; } == { a = f; })
  (s == s)
  ([ (x: x) ] == [ (x: x) ])
]
