let
  f = x: x;
in
[
  (builtins.elem f [ f ])
  (builtins.elem 1 [ f 1 ])
]
