builtins.replaceStrings [ "a" "b" ] [ "x" (throw "replacement for b is never needed") ] "aaa"
