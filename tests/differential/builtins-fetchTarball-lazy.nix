let t = fetchTarball "file:///nonexistent.tar.gz"; in builtins.isFunction fetchTarball
