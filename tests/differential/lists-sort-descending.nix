[
  (builtins.sort (a: b: a > b) [ 3 1 2 5 4 ])
  (builtins.sort (a: b: a < b) [ ])
  (builtins.sort (a: b: a < b) [ 1 ])
]
