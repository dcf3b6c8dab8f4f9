builtins.foldl' (acc: x: acc // { ${toString x} = x; }) { } [
  1
  2
  3
]
