[
  (builtins.attrValues {
    b = 2;
    a = 1;
  })
  (builtins.catAttrs "x" [ { x = 1; } { y = 2; } ])
]
