builtins.length (builtins.attrNames (builtins.listToAttrs (builtins.genList (i: {
  name = toString (i - i / 10 * 10);
  value = i;
}) 100)))
