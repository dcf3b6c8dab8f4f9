builtins.unsafeDiscardOutputDependency "x"
