builtins.pathExists "lib/text.txt"
