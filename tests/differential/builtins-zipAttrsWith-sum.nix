builtins.zipAttrsWith (n: builtins.foldl' (a: b: a + b) 0) [
  {
    x = 1;
    y = 2;
  }
  { x = 10; }
  {
    y = 20;
    z = 30;
  }
]
