builtins.fromTOML ''
  title = "example"
  count = 3
  ratio = 0.5
  enabled = true
  list = [1, 2, 3]
  [table]
  key = "value"
  [table.sub]
  n = -7
''
