builtins.toXML [
  1
  1.5
  "s<&>\""
  null
  true
  { a.b = 2; }
]
