builtins.attrNames (builtins.derivationStrict { name = "a"; system = "x"; builder = "/b"; outputs = [ "out" "dev" "lib" ]; })
