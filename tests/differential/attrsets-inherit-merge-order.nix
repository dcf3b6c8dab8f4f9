let
  x = 1;
  y = 2;
in
{
  inherit y;
  z = 3;
  inherit x;
}
