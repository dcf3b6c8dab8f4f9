let
  s = {
    a = throw "a";
    b = 2;
  };
in
with s;
b
