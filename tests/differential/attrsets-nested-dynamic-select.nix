let
  s = {
    a = {
      b = {
        c = 42;
      };
    };
  };
  p = "b";
in
[
  s.a.${p}.c
  (s.a.${p}.d or "none")
]
