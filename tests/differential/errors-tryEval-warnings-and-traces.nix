(builtins.tryEval (builtins.trace "traced" (throw "after trace"))).success
