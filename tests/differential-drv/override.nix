let a = derivation { name = "orig"; system = "x86_64-linux"; builder = "/bin/sh";  }; in derivation (a.drvAttrs // { name = "over"; extra = "1"; })
