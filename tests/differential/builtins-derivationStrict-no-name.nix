builtins.derivationStrict { system = "x"; builder = "/b"; }
