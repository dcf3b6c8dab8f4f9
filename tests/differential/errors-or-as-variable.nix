let
  s = { };
in
or
