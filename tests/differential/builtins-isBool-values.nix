map builtins.isBool [ true false null 0 "true" [ ] { } (1 == 1) ]
