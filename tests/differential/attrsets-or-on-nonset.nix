let
  s = {
    a = 1;
    n = null;
  };
in
[
  (s.a.b or 2)
  (s.n.x or 3)
]
