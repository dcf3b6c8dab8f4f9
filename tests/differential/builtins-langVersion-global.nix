__langVersion == builtins.langVersion
