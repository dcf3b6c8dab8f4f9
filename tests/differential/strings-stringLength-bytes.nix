map builtins.stringLength [
  ""
  "abc"
  "héllo"
  "✓"
  "\n"
]
