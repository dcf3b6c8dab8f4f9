builtins.fetchTree { type = "git"; }
