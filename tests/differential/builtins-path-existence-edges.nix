[
  (builtins.pathExists "${toString ./lib/text.txt}/.")
  (builtins.pathExists "${toString ./lib/text.txt}/")
  (builtins.pathExists "${toString ./lib}/")
  (builtins.pathExists (./lib + "/text.txt/.."))
  (builtins.readFile "${toString ./lib}/../lib/text.txt")
  (builtins.attrNames (builtins.readDir (toString ./lib)))
]
