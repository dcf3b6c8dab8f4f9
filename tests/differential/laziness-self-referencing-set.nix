let
  s = {
    a = 1;
    b = s.a + 1;
    c = [
      s.a
      s.b
    ];
  };
in
s
