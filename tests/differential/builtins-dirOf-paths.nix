[ (dirOf /a/b) (dirOf /a) (dirOf /.) (builtins.typeOf (dirOf /a/b)) ]
