let d = derivation { name = "d"; system = "x"; builder = "/b"; }; in builtins.getContext (builtins.unsafeDiscardOutputDependency d.drvPath)
