let
  x = builtins.trace "forced once" (20 + 1);
in
x + x
