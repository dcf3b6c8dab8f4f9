let
  f = x: x * 10;
in
[
  [ (1) (-1) ]
  [ f 1 ]
  [ (f 1) ]
  [ f (-1) ]
  [ builtins.head [ 1 ] ]
]
