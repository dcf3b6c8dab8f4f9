[ (builtins.bitXor 12345 12345) (builtins.bitXor (-1) 0) (builtins.bitXor (-1) (-1)) ]
