derivation { name = "a+b-c.d_e?f=g"; system = "x86_64-linux"; builder = "/bin/sh";  }
