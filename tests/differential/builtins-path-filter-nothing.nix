builtins.path { path = ./lib; name = "x"; filter = p: t: false; }
