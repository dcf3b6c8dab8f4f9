let f = builtins.fetchTree or null; in f == null || builtins.isFunction f
