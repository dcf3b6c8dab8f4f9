[ (builtins.hasAttr "" { }) (builtins.hasAttr "" { "" = 1; }) (builtins.hasAttr "a" { a = throw "lazy"; }) ]
