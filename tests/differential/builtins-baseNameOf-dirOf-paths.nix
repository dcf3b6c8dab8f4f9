[
  (baseNameOf ./lib)
  (builtins.typeOf (dirOf ./lib))
  (dirOf ./lib == ./.)
  (baseNameOf "/")
]
