let
  k = 1;
  s = {
    inherit k;
    inherit (builtins) map;
  };
  pos = n: let r = builtins.unsafeGetAttrPos n s; in [ r.line r.column ];
in
[
  (pos "k")
  (pos "map")
]
