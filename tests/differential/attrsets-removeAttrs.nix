[
  (builtins.removeAttrs {
    a = 1;
    b = 2;
    c = 3;
  } [ "a" "z" ])
  (builtins.removeAttrs { a = 1; } [ ])
  (builtins.removeAttrs { a = 1; } [ "a" "a" ])
]
