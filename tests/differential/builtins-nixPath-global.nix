[ (builtins.isList __nixPath) (__nixPath == builtins.nixPath) ]
