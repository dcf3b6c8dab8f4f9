let
  s = { a = { }; };
in
[
  (s.a.b or s.c or "second")
  (s.x or (s.a.y or "inner"))
]
