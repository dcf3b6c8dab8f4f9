[
  (baseNameOf ./builtins-paths.nix)
  (builtins.isPath ./.)
  (builtins.typeOf (./. + "/x"))
  (baseNameOf (./. + "/a/b"))
  (builtins.isString (toString ./.))
  (baseNameOf (dirOf ./lib/text.txt))
]
