builtins.filterSource (p: t: false) ./lib
