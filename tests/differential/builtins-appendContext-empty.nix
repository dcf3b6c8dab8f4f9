builtins.getContext (builtins.appendContext "a" { })
