# The function fails on the name alone, before it sees the value.
let
  set = builtins.mapAttrs (name: if name == "b" then throw "no ${name}" else value: value + 1) { a = 1; b = 2; };
in
[ set.a set.b ]
