let
  s = { a = 1; } // {
    a = "s";
    b = [ ];
  };
in
[
  (builtins.typeOf s.a)
  s
]
