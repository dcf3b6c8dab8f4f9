builtins.path { path = ./lib/text.txt; bogus = 1; }
