# A type error on an argument kept on the value stack, reached through an
# operation computed later from a copy of it.
let g = y: y * 2; f = x: g (x + 1); in f (builtins.head [ "a" ])
