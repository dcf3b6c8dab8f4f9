let
  "a" = 1;
  b = 2;
in
{
  inherit "a";
  inherit "b";
  c = a + b;
}
