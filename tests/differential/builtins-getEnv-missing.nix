[ (builtins.getEnv "NEVE_DIFFERENTIAL_SURELY_UNSET") (builtins.getEnv "") ]
