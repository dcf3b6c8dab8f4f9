let
  l = {
    a = throw "left a";
    b = 1;
  };
  r = {
    a = 2;
  };
in
l // r
