let
  inf = 1.0e308 * 10;
  nan = inf - inf;
in
[
  (builtins.elem nan [ nan ])
  (builtins.elem null [ 1 null ])
]
