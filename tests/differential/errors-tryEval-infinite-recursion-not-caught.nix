let
  x = x;
in
builtins.tryEval x
