[
  (builtins ? map)
  (builtins ? builtins)
  (builtins ? nonexistentBuiltinName)
  (builtins.builtins ? add)
]
