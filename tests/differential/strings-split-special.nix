[
  (builtins.split "\\." "a.b.c")
  (builtins.split "[.]" "..")
  (builtins.split "(\\|)" "a|b")
]
