builtins.length (builtins.genList (throw "genList checks its function") 1)
