builtins.toXML {
  f = { a, b ? 1, ... }: a;
  g = x: x;
}
