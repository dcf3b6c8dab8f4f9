builtins.trace (throw "forced") 1
