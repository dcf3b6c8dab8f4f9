let f = x: x; s = { inherit f; }; in [ ([ f ] == [ f ]) (s == s) (f == f) (builtins.elem f [ 1 f ]) ({ a = f; } == { a = f; }) ]
