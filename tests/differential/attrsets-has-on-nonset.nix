let
  s = { a = 1; };
in
[
  (s ? a.b)
  (1 ? a)
  ("s" ? a)
  ([ ] ? a)
  (null ? a)
]
