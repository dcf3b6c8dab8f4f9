let
  m = builtins.mapAttrs (throw "the function is only needed for a value") { a = 1; };
in
[
  (builtins.isAttrs m)
  (builtins.attrNames m)
  (builtins.attrNames (builtins.mapAttrs 1 { b = 2; }))
]
