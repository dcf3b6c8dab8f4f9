builtins.filterSource (p: t: t == "regular") ./lib
