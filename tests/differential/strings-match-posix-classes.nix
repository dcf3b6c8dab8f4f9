[
  (builtins.match "[[:digit:]]+" "123")
  (builtins.match "[[:alpha:]_][[:alnum:]_]*" "_ab9")
  (builtins.match "[[:space:]]*(.*)" "   x y ")
  (builtins.match "[^/]+" "a/b")
]
