let
  x = 1;
  y = let x = 2; in x;
in
[
  x
  y
]
