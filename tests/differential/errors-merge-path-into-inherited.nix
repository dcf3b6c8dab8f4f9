let
  x = { a = 1; };
in
{
  inherit (x) a;
  a.b = 1;
}
