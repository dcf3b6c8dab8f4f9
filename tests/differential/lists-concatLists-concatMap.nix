[
  (builtins.concatLists [ [ 1 ] [ ] [ 2 3 ] ])
  (builtins.concatLists [ ])
  (builtins.concatMap (x: [ x x ]) [ 1 2 ])
  (builtins.concatMap (x: [ ]) [ 1 2 ])
]
