builtins.length (builtins.sort (a: b: true) [
  1
  (throw "sort forces each element")
])
