[
  (map builtins.floor [ 1.5 (-1.5) 2.0 0.0 (-0.5) 1.0e10 ])
  (map builtins.ceil [ 1.5 (-1.5) 2.0 0.0 (-0.5) 1.0e10 ])
]
