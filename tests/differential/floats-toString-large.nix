[
  (toString 1.0e20)
  (toString 123456.789)
  (toString 1.0e-7)
]
