let
  fix = f: let x = f x; in x;
  s = fix (self: {
    a = 1;
    b = self.a + 1;
    c = self.b * 10;
    d = throw "unused";
  });
in
s.c
