{
  a = 1;
  b = throw "x";
} == {
  a = 2;
  b = throw "x";
}
