let
  r = builtins.tryEval "${toString 2.5}";
in
r.value
