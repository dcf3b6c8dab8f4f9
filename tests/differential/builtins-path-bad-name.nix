builtins.path { path = ./lib/text.txt; name = "bad name"; }
