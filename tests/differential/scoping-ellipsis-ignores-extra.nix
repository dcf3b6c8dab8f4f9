({ a, ... }: a) {
  a = 1;
  b = throw "extra";
}
