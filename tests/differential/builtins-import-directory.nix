let
  d = import ./lib/dir;
in
[
  d.fromDefaultNix
  d.sibling.doubled
  (import ./lib/dir/default.nix == d)
]
