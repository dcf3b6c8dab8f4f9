scopedImport 1 ./lib/free-x.nix
