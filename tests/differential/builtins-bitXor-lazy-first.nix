builtins.bitXor (throw "first") 1
