builtins.attrNames (builtins.intersectAttrs (builtins.listToAttrs (map (n: {
  name = "k${toString n}";
  value = n;
}) (builtins.genList (x: x * 2) 10))) (builtins.listToAttrs (map (n: {
  name = "k${toString n}";
  value = n;
}) (builtins.genList (x: x * 3) 10))))
