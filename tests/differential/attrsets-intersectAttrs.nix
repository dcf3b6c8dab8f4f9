[
  (builtins.intersectAttrs {
    a = 0;
    b = 0;
  } {
    b = 1;
    c = 2;
  })
  (builtins.intersectAttrs { } { a = 1; })
]
