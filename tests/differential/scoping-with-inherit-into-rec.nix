with { x = 1; y = 2; };
rec {
  inherit x;
  z = x + y;
}
