builtins.attrNames (builtins.intersectAttrs { z = 1; a = 2; m = 3; } { m = 4; z = 5; q = 6; })
