let
  s = {
    a = 1;
    b.c = 2;
  };
  pos = builtins.unsafeGetAttrPos "a" s;
in
[
  pos.line
  pos.column
  (builtins.unsafeGetAttrPos "missing" s)
  (builtins.baseNameOf pos.file)
]
