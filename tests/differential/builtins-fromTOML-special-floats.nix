let
  t = builtins.fromTOML ''
    pinf = inf
    ninf = -inf
    nan = nan
  '';
in
[
  t.pinf
  t.ninf
  (t.nan == t.nan)
]
