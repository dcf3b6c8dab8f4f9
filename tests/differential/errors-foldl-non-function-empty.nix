builtins.foldl' 1 0 [ ]
