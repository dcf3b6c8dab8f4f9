[
  (builtins.tryEval (builtins.deepSeq [ (throw "x") ] 1))
  (builtins.tryEval (builtins.deepSeq [ 1 ] 2))
]
