[
  (false && throw "no")
  (false && (1 / 0 == 0))
  (true && false)
]
