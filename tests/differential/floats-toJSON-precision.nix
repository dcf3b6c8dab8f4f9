builtins.toJSON [
  123456789.0
  (builtins.fromJSON "3.141592653589793")
  (1.0 / 3)
]
