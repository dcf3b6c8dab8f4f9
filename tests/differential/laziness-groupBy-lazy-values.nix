builtins.attrNames (builtins.groupBy (x: x.g) [
  {
    g = "a";
    v = throw "x";
  }
  {
    g = "b";
    v = throw "y";
  }
])
