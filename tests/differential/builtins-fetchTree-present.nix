builtins ? fetchTree
