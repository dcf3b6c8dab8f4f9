builtins.mapAttrs (n: v: builtins.mapAttrs (m: w: n + m) v) {
  a = {
    x = 1;
  };
  b = {
    y = 1;
    z = 1;
  };
}
