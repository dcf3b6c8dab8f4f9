builtins.appendContext 1 { }
