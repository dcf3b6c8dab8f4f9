let
  s = {
    x.y.z = 1;
  };
  p = "y";
in
[
  (s ? x.${p}.z)
  (s ? x.${p}.w)
  (s ? "x"."y")
]
