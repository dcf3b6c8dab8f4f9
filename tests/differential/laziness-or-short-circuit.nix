[
  (true || throw "no")
  (true || abort "no")
  (false || true)
]
