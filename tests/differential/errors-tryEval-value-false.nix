let
  r = builtins.tryEval (throw "x");
in
r.value
