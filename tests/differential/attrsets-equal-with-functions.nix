let
  f = x: x;
in
[
  ({ a = f; } == { a = f; })
  ({ a = x: x; } == { a = x: x; })
  ({ a = 1; f = f; } == { a = 1; f = f; })
]
