let
  fs = builtins.genList (i: x: x * i) 5;
in
map (f: f 10) fs
