let
  rep = n: s: if n == 0 then "" else s + rep (n - 1) s;
in
rep 5 "ab"
