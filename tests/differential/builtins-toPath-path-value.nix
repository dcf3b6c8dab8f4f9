[ (builtins.toPath ./lib) (builtins.typeOf (builtins.toPath ./lib)) ]
