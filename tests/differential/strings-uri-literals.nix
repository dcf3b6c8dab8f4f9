[
  http://example.com/path?query=1
  https://nixos.org
  mailto:someone@example.com
  (builtins.typeOf http://x.y)
]
