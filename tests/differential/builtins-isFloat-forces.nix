builtins.isFloat (throw "forced")
