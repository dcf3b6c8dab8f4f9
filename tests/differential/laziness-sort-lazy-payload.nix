map (x: x.k) (builtins.sort (a: b: a.k < b.k) [
  {
    k = 2;
    v = throw "a";
  }
  {
    k = 1;
    v = throw "b";
  }
])
