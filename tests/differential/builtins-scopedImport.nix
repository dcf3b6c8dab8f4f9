builtins.scopedImport { x = 41; } ./lib/free-x.nix
