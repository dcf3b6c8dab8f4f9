builtins.filterSource 1 ./lib
