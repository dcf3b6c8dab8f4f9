{
  f = x: x;
  g = builtins.head;
  n = 1;
}
