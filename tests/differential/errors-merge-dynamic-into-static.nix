let
  k = "a";
in
{
  a = {
    b = 1;
  };
  ${k}.c = 2;
}
