[
  (map == map)
  ([ map ] == [ map ])
  (builtins.add == builtins.add)
]
