[
  (builtins.match "([a-z]+)-([0-9]+)" "foo-123")
  (builtins.match "[a-z]+" "foo-123")
  (builtins.match "(a)?b" "b")
  (builtins.match ".*" "")
  (builtins.match "a(b|c)*d" "abcbd")
]
