builtins.catAttrs "a" [
  { a = 1; }
  { b = 2; }
  { a = [ 3 ]; }
  { }
]
