builtins.toPath ""
