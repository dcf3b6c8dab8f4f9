let
  f = a: b: c: a;
  g = f 1 (throw "b");
in
g (throw "c")
