builtins.trace "to stderr" (builtins.trace { a = 1; } 42)
