builtins.appendContext "a" { "/tmp/not-in-store" = { path = true; }; }
