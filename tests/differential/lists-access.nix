let
  l = [
    10
    20
    30
  ];
in
[
  (builtins.elemAt l 0)
  (builtins.elemAt l 2)
  (builtins.head l)
  (builtins.tail l)
  (builtins.length l)
  (builtins.tail [ 1 ])
]
