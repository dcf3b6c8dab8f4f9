let
  adder = n: (m: n + m);
  apply = f: x: f x;
in
apply (adder 3) 4
