builtins.length (builtins.partition (x: x.ok) [
  {
    ok = true;
    v = throw "a";
  }
  {
    ok = false;
    v = throw "b";
  }
]).right
