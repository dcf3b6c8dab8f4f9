builtins.filter (n: builtins.elem n [ "add" "map" "toString" "zzz" ]) (builtins.attrNames builtins)
