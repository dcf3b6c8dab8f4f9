builtins.length (map (x: throw "element ${toString x}") [
  1
  2
  3
])
