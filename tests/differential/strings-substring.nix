[
  (builtins.substring 1 3 "hello")
  (builtins.substring 0 0 "hello")
  (builtins.substring 3 100 "hello")
  (builtins.substring 10 2 "hello")
  (builtins.substring 2 (-1) "hello")
  (builtins.substring 0 1 "")
]
