let unused = builtins.fetchGit "/nonexistent/repo"; in builtins.typeOf unused
