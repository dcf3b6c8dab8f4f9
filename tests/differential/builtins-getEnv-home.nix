builtins.stringLength (builtins.getEnv "HOME") > 0
