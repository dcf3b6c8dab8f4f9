map builtins.splitVersion [
  "1.2.3"
  "1.0pre1"
  "2.3-beta.4"
  ""
  "abc"
]
