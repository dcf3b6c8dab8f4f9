let
  x = [ 1 2 ];
in
builtins.deepSeq [
  x
  x
] x
