[
  (builtins.attrNames { })
  (builtins.attrValues { })
  (builtins.length (builtins.attrNames ({ } // { })))
  { }
]
