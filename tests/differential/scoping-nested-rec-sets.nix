rec {
  a = 1;
  inner = rec {
    b = a + 1;
    c = b + 1;
  };
  d = inner.c + 1;
}
