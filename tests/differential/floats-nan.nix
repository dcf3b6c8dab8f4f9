let
  inf = 1.0e308 * 10;
  nan = inf - inf;
in
[
  (nan == nan)
  (nan < 1)
  (nan > 1)
]
