rec {
  a.b = 1;
  c = a.b + 1;
  d.e = c * 2;
}
