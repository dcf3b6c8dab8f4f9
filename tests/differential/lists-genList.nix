[
  (builtins.genList (i: i * i) 6)
  (builtins.genList (i: i) 0)
  (builtins.genList (i: [ i ]) 2)
]
