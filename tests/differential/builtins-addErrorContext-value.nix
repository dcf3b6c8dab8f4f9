builtins.addErrorContext "ctx" { a = 1; }
