let
  a = 1;
in
[
  ((a: a) 2)
  (({ a }: a) { a = 3; })
  a
]
