[
  (builtins.lessThan 1 1.5)
  (builtins.lessThan 1.5 1)
  (builtins.lessThan 2.0 2)
]
