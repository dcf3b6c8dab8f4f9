[
  (map (x: x * 2) [ 1 2 3 ])
  (builtins.filter (x: x > 1) [ 3 1 2 0 ])
  (map (x: x) [ ])
  (builtins.filter (x: true) [ ])
]
