[
  (builtins.seq 1 2)
  (builtins.deepSeq { a = [ 1 ]; } "deep")
  (builtins.seq [ (throw "x") ] 3)
  (builtins.seq (x: throw "body") 4)
]
