builtins.listToAttrs (builtins.genList (i: {
  name = builtins.elemAt [ "x" "y" "z" ] i;
  value = i;
}) 3)
