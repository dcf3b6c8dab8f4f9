builtins.isFunction builtins.fetchGit
