[
  (builtins.lessThan "a" "b")
  (builtins.lessThan "b" "a")
  (builtins.lessThan "" "")
]
