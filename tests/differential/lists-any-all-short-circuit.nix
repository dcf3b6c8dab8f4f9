[
  (builtins.any (x: x) [ true (throw "no") ])
  (builtins.all (x: x) [ false (throw "no") ])
]
