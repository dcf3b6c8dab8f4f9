let
  add = a: b: a + b;
  inc = add 1;
in
[
  (add 1 2)
  (inc 10)
  ((add 5) 5)
]
