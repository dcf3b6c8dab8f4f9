let
  map = 1;
  true = false;
  null = 3;
in
[
  map
  true
  null
]
