{ a = throw "x"; } == {
  a = throw "y";
  b = 1;
}
