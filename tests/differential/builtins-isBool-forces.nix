builtins.isBool (throw "forced")
