builtins.toJSON [
  1.5
  0.1
  1.0
  100.0
  (-0.5)
]
