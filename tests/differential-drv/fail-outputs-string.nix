derivation { name = "outstr"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = "out  dev\tman"; }
