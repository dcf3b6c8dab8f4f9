let
  l = [
    "a"
    "b"
    "c"
  ];
in
builtins.genList (i: "${toString i}:${builtins.elemAt l i}") (builtins.length l)
