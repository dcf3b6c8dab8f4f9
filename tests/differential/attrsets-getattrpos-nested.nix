let
  s = {
    x.y = 1;
    inherit (builtins) map;
  };
in
[
  (builtins.unsafeGetAttrPos "x" s).line
  (builtins.unsafeGetAttrPos "y" s.x).column
  (builtins.unsafeGetAttrPos "map" s).line
]
