builtins.currentSystem == __currentSystem
