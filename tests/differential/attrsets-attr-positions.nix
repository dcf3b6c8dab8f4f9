let
  k = "dyn";
  s = {
    ${k} = 1;
    "quoted" = 2;
    a.b.c = 3;
  };
  f = { p ? 1, q }: p;
  pos = n: set: let r = builtins.unsafeGetAttrPos n set; in if r == null then null else [ r.line r.column ];
in
[
  (pos "dyn" s)
  (pos "quoted" s)
  (pos "a" s)
  (pos "b" s.a)
  (pos "c" s.a.b)
  (pos "p" (builtins.functionArgs f))
  (pos "a" ({ a = 1; } // { b = 2; }))
  (pos "b" ({ a = 1; } // { b = 2; }))
]
