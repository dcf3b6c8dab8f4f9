builtins.attrNames {
  b = 1;
  a = 2;
  c = 3;
  B = 4;
  _ = 5;
  a1 = 6;
  "10" = 7;
  "9" = 8;
  "" = 9;
}
