# Only the attributes used are computed; the function is applied to the
# name and the value of each, sharing nothing between attributes.
let
  calls = builtins.mapAttrs (name: builtins.trace "name ${name}" (value: "${name}=${toString value}"))
    { a = 1; b = throw "never forced"; c = 3; };
  functor = builtins.mapAttrs { __functor = self: name: value: [ name value ]; } { x = 1; };
in
[ calls.c calls.a functor (builtins.attrNames calls) ]
