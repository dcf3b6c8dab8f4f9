builtins.fetchTarball { url = "file:///nonexistent.tar.gz"; bogus = 1; }
