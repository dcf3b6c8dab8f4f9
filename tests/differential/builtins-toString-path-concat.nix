let
  p = ./lib + "/text.txt";
in
[
  (baseNameOf (toString p))
  (builtins.isPath p)
  (builtins.readFile p == builtins.readFile ./lib/text.txt)
]
