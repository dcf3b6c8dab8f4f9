let a = derivation { name = "dep-a"; system = "x86_64-linux"; builder = "/bin/sh";  }; in derivation { name = "dep-b"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "cat ${a}" ]; }
