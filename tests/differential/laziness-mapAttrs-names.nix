builtins.attrNames (builtins.mapAttrs (n: v: throw n) {
  x = 1;
  y = 2;
})
