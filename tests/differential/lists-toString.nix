[
  (toString [ 1 "a" [ 2 ] null true false ])
  (toString [ ])
  (toString [ [ ] [ ] ])
]
