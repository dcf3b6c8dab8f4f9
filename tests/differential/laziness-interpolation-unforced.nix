let
  s = "${throw "inside"}";
  t = "prefix ${abort "x"}";
in
"fine"
