let
  f = x: with { x = "with"; }; x;
in
f "param"
