[
  (builtins.match "h(.*)o" "héllo")
  (builtins.split "é" "aébéc")
]
