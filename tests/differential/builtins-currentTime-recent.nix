builtins.currentTime > 1600000000
