[
  (import ./lib/function.nix { })
  (import ./lib/function.nix { a = 21; })
  ((import ./lib/function.nix { a = 2; }) == (import ./lib/function.nix { a = 2; }))
]
