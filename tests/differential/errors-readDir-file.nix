builtins.readDir ./lib/text.txt
