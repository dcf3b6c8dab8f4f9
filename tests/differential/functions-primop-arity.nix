[
  (builtins.isFunction builtins.foldl')
  (builtins.isFunction (builtins.foldl' (a: b: a)))
  (builtins.isFunction (builtins.foldl' (a: b: a) 0))
  (builtins.foldl' (a: b: a) 0 [ ])
]
