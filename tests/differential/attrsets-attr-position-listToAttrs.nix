let
  l = builtins.listToAttrs [ { name = "x"; value = 1; } ];
  r = builtins.unsafeGetAttrPos "x" l;
in
[
  r.line
  r.column
]
