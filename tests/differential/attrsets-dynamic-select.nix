let
  k = "x";
  s = {
    x = 1;
    "y z" = 2;
  };
in
[
  s.${k}
  s."x"
  s.${"x"}
  s."y z"
  s.${"y" + " " + "z"}
]
