[
  (builtins.fromJSON ''{"a": 1, "a": 2}'')
  (builtins.fromJSON "{}")
  (builtins.fromJSON "[]")
  (builtins.fromJSON "null")
  (builtins.fromJSON ''""'')
]
