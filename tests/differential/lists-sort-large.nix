let
  xs = builtins.genList (i: (i * 7919) - (i * 7919) / 101 * 101) 200;
  sorted = builtins.sort (a: b: a < b) xs;
in
[
  (builtins.head sorted)
  (builtins.elemAt sorted 100)
  (builtins.elemAt sorted 199)
  (builtins.length sorted)
]
