let
  a = 1;
in
let
  b = a + 1;
in
let
  c = a + b;
  f = x: let d = x + c; in let e = d + a; in e;
in
f 100
