let
  add1 = builtins.add 1;
  prefix = builtins.concatStringsSep "";
in
[
  (map add1 [ 1 2 ])
  (prefix [ "a" "b" ])
  (builtins.foldl' builtins.add 0 [ 1 2 3 ])
]
