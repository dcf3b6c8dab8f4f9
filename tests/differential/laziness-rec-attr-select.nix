(rec {
  a = throw "a is not needed";
  b = 2;
  c = b * 3;
}).c
