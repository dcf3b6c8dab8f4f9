builtins.concatMap builtins.attrNames [
  { a = 1; }
  {
    c = 1;
    b = 2;
  }
]
