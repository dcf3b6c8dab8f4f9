builtins.attrNames {
  b = throw "b";
  a = abort "a";
  c = 1 / 0;
}
