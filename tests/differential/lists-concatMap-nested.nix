builtins.concatMap (x: builtins.concatMap (y: [ [ x y ] ]) [ "a" "b" ]) [
  1
  2
]
