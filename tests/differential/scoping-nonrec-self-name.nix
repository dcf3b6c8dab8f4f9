let
  a = 5;
  s = {
    a = a + 1;
  };
in
s.a
