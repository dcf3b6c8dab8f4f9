[
  (builtins.functionArgs builtins.map)
  (builtins.functionArgs (builtins.map (x: x)))
]
