builtins.derivationStrict { name = "a"; system = "x"; builder = "/b"; }
