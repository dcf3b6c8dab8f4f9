builtins.sort (a: b: a < b) [
  "é"
  "e"
  "z"
  "E"
  "ä"
  "_"
]
