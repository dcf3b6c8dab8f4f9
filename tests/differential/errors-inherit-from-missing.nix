let
  s = { };
in
{
  inherit (s) a;
}.a
