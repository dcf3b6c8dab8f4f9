let
  a = import ./lib/function.nix;
  b = import ./lib/function.nix;
in
[
  ((a { }).doubled)
  ((b { a = 5; }).doubled)
]
