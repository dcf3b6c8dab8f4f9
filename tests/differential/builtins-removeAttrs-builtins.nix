let
  b = builtins.removeAttrs builtins [ "map" ];
in
[
  (b ? map)
  (b ? filter)
  (b.length [ 1 2 ])
]
