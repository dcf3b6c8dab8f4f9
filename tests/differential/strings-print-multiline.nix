[
  "a\nb\n"
  "\n"
  ''
    line
  ''
]
