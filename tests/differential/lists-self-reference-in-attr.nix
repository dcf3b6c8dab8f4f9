let
  l = [
    l
    1
  ];
in
{
  list = l;
}
