[
  1
  [
    2
    (throw "nested")
  ]
]
