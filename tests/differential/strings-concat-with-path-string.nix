let
  p = toString ./lib;
in
builtins.substring (builtins.stringLength p - 4) 4 p
