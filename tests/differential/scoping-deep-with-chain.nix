let
  x = "lexical";
in
with { x = "w1"; y = "w1"; z = "w1"; };
with { y = "w2"; };
with { z = "w3"; };
[
  x
  y
  z
]
