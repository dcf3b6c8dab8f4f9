let
  x = { a = x; b = 1; };
  r = rec {
    a = { inherit b; };
    b = { inherit a; };
  };
in
{
  deepSeq = builtins.deepSeq x "terminates";
  select = x.a.a.a.b;
  self-equal = x == x;
  set = x;
  mutual = r;
}
