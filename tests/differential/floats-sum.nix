builtins.foldl' builtins.add 0 [
  0.1
  0.2
  0.3
]
