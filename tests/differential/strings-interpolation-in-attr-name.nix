let
  k = "key";
in
{
  "${k}1" = 1;
  ${k + "2"} = 2;
  "plain${"-"}dash" = 3;
}
