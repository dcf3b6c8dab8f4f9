[
  (builtins.split "(b)" "abcb")
  (builtins.split "" "ab")
  (builtins.split "a*" "baaac")
  (builtins.split "([0-9]+)|([a-z]+)" "12ab34")
]
