[
  (builtins.replaceStrings [ "a" "b" ] [ "b" "a" ] "abba")
  (builtins.replaceStrings [ "oo" ] [ "0" ] "foo boo ooo")
  (builtins.replaceStrings [ ] [ ] "same")
  (builtins.replaceStrings [ "x" ] [ "" ] "xaxbx")
]
