builtins.head (map (x: x + 1) [
  1
  (throw "unused")
])
