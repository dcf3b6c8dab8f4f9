let
  l = [ (builtins.elemAt l 0) ];
in
l
