builtins.fromTOML ''
  int = 42
  neg = -17
  hex = 0xff
  float = 3.14
  exp = 1e3
  bool = false
  str = "a\tb"
  lit = 'C:\path'
  arr = [ "x", "y" ]
  nested = { a = 1, b = { c = 2 } }
  [[points]]
  x = 1
  [[points]]
  x = 2
''
