[
  (7 / 2)
  (-7 / 2)
  (7 / (-2))
  (0 / 5)
  (builtins.div 9 4)
  (builtins.div (-9) 4)
]
