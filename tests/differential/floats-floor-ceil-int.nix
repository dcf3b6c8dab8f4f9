[
  (builtins.floor 3)
  (builtins.ceil (-3))
  (builtins.typeOf (builtins.floor 2.5))
]
