builtins.listToAttrs [
  {
    name = "a";
    value = 1;
  }
  {
    name = "b";
    value = 2;
  }
  {
    name = "a";
    value = 3;
  }
]
