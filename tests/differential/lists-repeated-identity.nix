let
  l = [
    1
    2
  ];
  m = l;
  s = {
    a = 1;
  };
  t = rec {
    a = {
      z = 1;
    };
    b = a;
  };
in
{
  aliases = [
    l
    m
  ];
  update-empty = [
    s
    (s // { })
    ({ } // s)
  ];
  seq = [
    s
    (builtins.seq 1 s)
  ];
  nested = {
    inherit l;
    again = [ l ];
  };
  rec-alias = t;
  empty-sets-never-repeat = [
    { }
    { }
  ];
  empty-lists-never-repeat = [
    [ ]
    [ ]
  ];
}
