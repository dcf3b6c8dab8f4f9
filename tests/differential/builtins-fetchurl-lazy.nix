let f = builtins.fetchurl "file:///nonexistent"; in [ (builtins.isFunction builtins.fetchurl) (builtins.isFunction __fetchurl) ]
