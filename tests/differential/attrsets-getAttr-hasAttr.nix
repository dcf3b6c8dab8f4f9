[
  (builtins.getAttr "a" { a = 1; })
  (builtins.hasAttr "b" { a = 1; })
  (builtins.hasAttr "a" { a = null; })
  (builtins.getAttr "x y" { "x y" = 2; })
]
