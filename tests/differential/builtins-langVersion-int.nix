builtins.isInt builtins.langVersion && builtins.langVersion >= 6
