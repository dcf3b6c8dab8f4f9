[
  (builtins.replaceStrings [ "" ] [ "-" ] "abc")
  (builtins.replaceStrings [ "" ] [ "-" ] "")
  (builtins.replaceStrings [ "b" "" ] [ "B" "_" ] "abc")
]
