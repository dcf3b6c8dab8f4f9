({ a ? throw "default", b }: b) {
  a = 1;
  b = 2;
}
