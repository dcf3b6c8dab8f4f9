builtins.fromTOML "literal = 'C:\\\\Users\\\\x'\nmulti = '''\nraw \\n text\n'''\nbasic_multi = \"\"\"\\\n  joined \\\n  lines\"\"\"\n"
