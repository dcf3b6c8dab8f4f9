builtins.fetchurl { url = "file:///x"; bogus = 1; }
