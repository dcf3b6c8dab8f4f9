let
  s = {
    a = {
      b = {
        c = 1;
        d = throw "d";
      };
      e = throw "e";
    };
    f = throw "f";
  };
in
s.a.b.c
