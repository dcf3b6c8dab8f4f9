builtins.toString [
  [ 1 2 ]
  [ "a" [ "b" ] ]
]
