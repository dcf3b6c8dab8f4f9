[
  (builtins.split "(a)|b" "xaybz")
  (builtins.split "," "a,b,,c")
  (builtins.split "x" "")
  (builtins.split "(x)(y)?" "axb")
]
