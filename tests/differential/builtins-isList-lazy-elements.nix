builtins.isList [ (throw "not forced") ]
