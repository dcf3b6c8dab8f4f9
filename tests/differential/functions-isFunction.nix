[
  (builtins.isFunction (x: x))
  (builtins.isFunction map)
  (builtins.isFunction (map (x: x)))
  (builtins.isFunction 1)
  (builtins.isFunction ({ a }: a))
]
