[
  ({ a = throw "x"; } ? a)
  (builtins.hasAttr "a" { a = abort "y"; })
]
