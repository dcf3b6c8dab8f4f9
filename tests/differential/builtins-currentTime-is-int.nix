builtins.isInt builtins.currentTime
