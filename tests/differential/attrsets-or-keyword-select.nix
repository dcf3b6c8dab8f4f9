let
  s = {
    a = 1;
  };
in
[
  (s.a or 2)
  (s.b or 2)
  ((s.b or s).a)
]
