let
  s = {
    outPath = "out";
  };
in
[
  "${s}"
  "${"nested ${s}"}"
  (toString s)
]
