let p = builtins.toFile "x" "y"; in builtins.getContext (builtins.appendContext "s" { ${builtins.unsafeDiscardStringContext p} = { path = true; }; })
