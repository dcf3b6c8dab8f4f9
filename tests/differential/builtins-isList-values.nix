map builtins.isList [ [ ] { } "a" (builtins.attrValues { }) null [ [ ] ] ]
