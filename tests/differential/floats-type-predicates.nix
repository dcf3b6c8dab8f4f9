[
  (builtins.typeOf 1.0)
  (builtins.typeOf 1)
  (builtins.isFloat 1.0)
  (builtins.isFloat 1)
  (builtins.isInt 1.0)
  (builtins.typeOf (1 + 1.0))
]
