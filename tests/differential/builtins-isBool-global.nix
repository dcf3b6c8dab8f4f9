[ (__isBool (!false)) (builtins.isBool builtins.isBool) ]
