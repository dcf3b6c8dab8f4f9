[
  ({ a = 1; }.a or (throw "default"))
  ({ }.a or 5)
]
