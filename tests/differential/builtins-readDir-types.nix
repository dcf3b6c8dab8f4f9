builtins.mapAttrs (n: t: t) (builtins.readDir ./lib)
