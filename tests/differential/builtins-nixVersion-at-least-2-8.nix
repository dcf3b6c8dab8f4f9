builtins.compareVersions builtins.nixVersion "2.8" >= 0
