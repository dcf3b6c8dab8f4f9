scopedImport { builtins = { true = 5; false = 6; null = 7; langVersion = 8; }; } ./builtins-constants.nix
