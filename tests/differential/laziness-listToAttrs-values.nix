(builtins.listToAttrs [
  {
    name = "a";
    value = throw "no";
  }
  {
    name = "b";
    value = 2;
  }
]).b
