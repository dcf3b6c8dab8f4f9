builtins.groupBy 1 [ ]
