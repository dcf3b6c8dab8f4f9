let
  a = 1;
in
with {
  a = 2;
  b = 3;
};
a + b
