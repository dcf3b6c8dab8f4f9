[
  (builtins.typeOf 1.0/3)
  (builtins.typeOf (1.0 / 3))
  (baseNameOf 6/2)
  (6 / 2)
]
