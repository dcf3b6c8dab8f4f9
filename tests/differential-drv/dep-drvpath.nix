let a = derivation { name = "deep-a"; system = "x86_64-linux"; builder = "/bin/sh";  }; in derivation { name = "deep-b"; system = "x86_64-linux"; builder = "/bin/sh"; drv = a.drvPath; }
