let
  a = 10;
in
{
  a = 1;
  b = a;
}
