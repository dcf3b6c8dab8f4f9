[
  (builtins.substring 0 2 "héllo")
  (builtins.stringLength (builtins.substring 0 2 "héllo"))
]
