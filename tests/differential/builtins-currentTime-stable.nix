builtins.currentTime == __currentTime && builtins.currentTime == builtins.currentTime
