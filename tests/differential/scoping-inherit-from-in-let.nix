let
  s = {
    p = 3;
    q = 4;
  };
  inherit (s) p q;
in
p * q
