[ (builtins.pathExists ./lib/text.txt) (builtins.pathExists ./lib/nonexistent) (builtins.pathExists "/") (builtins.pathExists ./lib) (builtins.pathExists (./lib + "/dir")) ]
