builtins.floor 1e300
