builtins.sort (a: b: if a.k == b.k then a.v < b.v else a.k < b.k) [
  { k = 2; v = 1; }
  { k = 1; v = 2; }
  { k = 1; v = 1; }
  { k = 2; v = 0; }
]
