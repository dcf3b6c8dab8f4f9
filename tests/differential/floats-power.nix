let
  pow = b: e: if e == 0 then 1.0 else b * pow b (e - 1);
in
[
  (pow 2 10)
  (pow 0.5 3)
  (pow 10 20)
  (pow 1.1 5)
]
