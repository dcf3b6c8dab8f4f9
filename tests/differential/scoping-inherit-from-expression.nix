(rec {
  inherit ({ x = 1; y = 2; }) x y;
  inherit (builtins) length;
  z = length [ 1 2 3 ] + x + y;
}).z
