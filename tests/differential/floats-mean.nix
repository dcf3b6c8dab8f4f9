let
  xs = [
    1
    2
    3
    4
  ];
  sum = builtins.foldl' (a: b: a + b) 0.0 xs;
in
sum / builtins.length xs
