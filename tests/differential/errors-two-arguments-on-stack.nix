# A type error in a fold step whose arguments are on the value stack.
builtins.foldl' (acc: x: acc + x) 0 [ 1 "a" ]
