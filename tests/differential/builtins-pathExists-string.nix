[
  (builtins.pathExists (toString ./lib))
  (builtins.pathExists "/definitely/not/here")
]
