[
  (builtins.match "[][]+" "[]][")
  (builtins.match "a{2,3}" "aaa")
  (builtins.match "a{2}" "aaa")
  (builtins.match "(x+)?" "")
  (builtins.match "[a-c-]+" "a-c")
]
