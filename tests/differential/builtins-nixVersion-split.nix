builtins.length (builtins.splitVersion builtins.nixVersion) >= 3
