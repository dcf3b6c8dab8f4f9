builtins.concatStringsSep "✓" [
  "a"
  "é"
  ""
]
