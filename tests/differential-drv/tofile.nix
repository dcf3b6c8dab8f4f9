derivation { name = "tf"; system = "x86_64-linux"; builder = "/bin/sh"; f = builtins.toFile "hello.txt" "hello world\n"; }
