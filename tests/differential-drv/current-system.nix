derivation { name = "cursys"; system = builtins.currentSystem; builder = "/bin/sh";  }
