[
  (builtins.lessThan 1 2.5)
  (builtins.lessThan "a" "ab")
  (builtins.lessThan [ 1 ] [ 1 1 ])
]
