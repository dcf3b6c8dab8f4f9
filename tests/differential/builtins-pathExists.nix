[
  (builtins.pathExists ./builtins-pathExists.nix)
  (builtins.pathExists ./does-not-exist.nix)
  (builtins.pathExists ./lib)
  (builtins.pathExists (./. + "/lib/text.txt"))
]
