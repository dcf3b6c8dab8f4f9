let
  f = n: if n == 0 then throw "bottom" else f (n - 1);
in
f 50
