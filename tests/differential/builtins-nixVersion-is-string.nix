builtins.isString builtins.nixVersion && builtins.nixVersion == __nixVersion
