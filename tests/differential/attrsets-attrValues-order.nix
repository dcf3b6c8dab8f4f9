builtins.attrValues {
  zz = 1;
  a = 2;
  m = 3;
  Z = 4;
}
