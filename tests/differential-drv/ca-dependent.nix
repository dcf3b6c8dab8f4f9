# flags: --extra-experimental-features ca-derivations
let a = derivation { name = "ca-a"; system = "x86_64-linux"; builder = "/bin/sh"; __contentAddressed = true; }; in derivation { name = "ca-b"; system = "x86_64-linux"; builder = "/bin/sh"; src = a; }
