map builtins.isAttrs [ { } { a = 1; } [ ] null (derivation { name = "a"; system = "x"; builder = "/b"; }) builtins ]
