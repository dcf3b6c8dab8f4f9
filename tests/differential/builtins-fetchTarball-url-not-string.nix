builtins.fetchTarball { url = 1; }
