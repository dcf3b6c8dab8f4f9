map (builtins.substring 0 2) [
  "hello"
  "a"
  ""
]
