let unused = builtins.fetchMercurial "/nonexistent/repo"; in [ (builtins.typeOf fetchMercurial) 1 ]
