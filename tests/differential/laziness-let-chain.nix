let
  a = b;
  b = c;
  c = d;
  d = 7;
  unused = throw "nope";
in
a
