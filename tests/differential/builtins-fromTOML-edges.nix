builtins.fromTOML ''
  bare_key = 1
  "quoted key" = 2
  'literal key' = 3
  dotted.key.path = 4
  site."google.com" = true
  underscores = 1_000_000
  octal = 0o755
  binary = 0b1010
  hexa = 0xDEAD_BEEF
  positive = +17
  float_exp = 5e+22
  float_frac = -0.01
  float_under = 224_617.445_991
  multi = """
  first line
    second line"""
  escaped = "tab\tquote\"unicode\u00e9"
  empty_array = []
  mixed_nesting = [ [ 1, 2 ], [ "a" ] ]
  inline = { x = 1, y = { z = "deep" } }

  [section]
  key = "value"

  [section.sub]
  n = 1

  [[products]]
  name = "Hammer"

  [[products]]

  [[products]]
  name = "Nail"
''
