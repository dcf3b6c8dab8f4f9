let
  reverse = l: builtins.foldl' (acc: x: [ x ] ++ acc) [ ] l;
in
reverse [
  1
  2
  3
  4
]
