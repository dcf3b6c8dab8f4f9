[
  (false -> throw "no")
  (true -> false)
  (false -> false)
]
