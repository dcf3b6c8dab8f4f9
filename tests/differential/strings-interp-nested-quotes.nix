let
  name = "world";
in
"hello ${"\"${name}\""}!"
