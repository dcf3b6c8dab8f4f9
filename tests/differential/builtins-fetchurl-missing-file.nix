builtins.fetchurl "file:///nonexistent/neve-differential"
