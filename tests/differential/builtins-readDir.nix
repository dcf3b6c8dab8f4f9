builtins.readDir ./lib
