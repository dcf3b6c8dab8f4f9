builtins.mapAttrs (n: v: n + "=" + toString v) {
  x = 1;
  y = 2;
  z = 3;
}
