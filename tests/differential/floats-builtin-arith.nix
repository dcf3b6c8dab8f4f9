[
  (builtins.mul 2 2.5)
  (builtins.sub 1 0.5)
  (builtins.div 1 4.0)
  (builtins.add 0.5 0.25)
  (builtins.div 1.0 8)
]
