__storeDir == builtins.storeDir && builtins.substring 0 1 builtins.storeDir == "/"
