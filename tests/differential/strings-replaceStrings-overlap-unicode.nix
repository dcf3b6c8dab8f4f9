builtins.replaceStrings [ "é" "✓" ] [ "e" "v" ] "café ✓✓"
