map builtins.length [
  [ ]
  [ [ ] ]
  [ 1 2 3 ]
  (builtins.genList (x: x) 17)
]
