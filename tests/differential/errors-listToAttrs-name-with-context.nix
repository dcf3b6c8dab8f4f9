# A name that refers to a store path is rejected where it is defined.
let
  file = builtins.toFile "x" "y";
in
builtins.listToAttrs [
  { name = "a"; value = 1; }
  { name = "${file}"; value = 2; }
]
