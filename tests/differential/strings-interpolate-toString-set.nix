let
  s = {
    __toString = self: "S";
  };
  t = {
    outPath = "/some/path";
  };
in
"${s}-${t}"
