{
  f = { a, b ? 1 }: a;
  g = builtins.map;
}
