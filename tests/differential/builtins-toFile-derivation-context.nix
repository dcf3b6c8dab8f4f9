builtins.toFile "b" "${derivation { name = "d"; system = "x"; builder = "/b"; }}"
