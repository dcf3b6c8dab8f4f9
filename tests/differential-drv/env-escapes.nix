derivation { name = "esc"; system = "x86_64-linux"; builder = "/bin/sh"; v = "a\"b\\c\nd\re\tf";  args = [ "x\"y" ]; }
