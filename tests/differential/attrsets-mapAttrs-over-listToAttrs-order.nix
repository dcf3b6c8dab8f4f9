builtins.attrNames (builtins.mapAttrs (n: v: v) (builtins.listToAttrs [
  {
    name = "zeta";
    value = 1;
  }
  {
    name = "alpha";
    value = 2;
  }
  {
    name = "Mid";
    value = 3;
  }
]))
