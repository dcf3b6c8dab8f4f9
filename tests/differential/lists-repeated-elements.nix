let
  l = [ 1 ];
  s = { a = 1; };
in
[
  l
  l
  s
  s
]
