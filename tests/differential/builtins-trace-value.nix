builtins.trace "message" { a = builtins.trace [ 1 2 ] 2; }
