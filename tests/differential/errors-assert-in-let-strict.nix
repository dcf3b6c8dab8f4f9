let
  x = assert false; 1;
in
{
  inherit x;
}
