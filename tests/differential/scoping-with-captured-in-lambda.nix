let
  s = { x = 1; };
  f = with s; y: x + y;
in
f 10
