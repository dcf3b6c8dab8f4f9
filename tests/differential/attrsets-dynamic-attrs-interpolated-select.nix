let
  s = {
    a1 = "one";
    a2 = "two";
  };
in
map (i: s."a${toString i}") [
  1
  2
]
