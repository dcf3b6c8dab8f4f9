let
  zero = f: x: x;
  succ = n: f: x: f (n f x);
  toInt = n: n (x: x + 1) 0;
  add = m: n: f: x: m f (n f x);
  three = succ (succ (succ zero));
in
[
  (toInt three)
  (toInt (add three three))
]
