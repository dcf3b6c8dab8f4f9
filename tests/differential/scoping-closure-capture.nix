let
  mk = n: x: x + n;
  add2 = mk 2;
  add3 = mk 3;
in
[
  (add2 1)
  (add3 1)
  (mk 10 5)
]
