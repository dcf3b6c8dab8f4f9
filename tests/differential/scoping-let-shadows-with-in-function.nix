let
  f = with { v = "with"; }; { v ? "default" }: v;
in
[
  (f { })
  (f { v = "arg"; })
]
