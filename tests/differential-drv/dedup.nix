let a = derivation { name = "dedup"; system = "x86_64-linux"; builder = "/bin/sh";  }; in { x = a; y = a; z = [ a ]; }
