let
  s = "plain ${"string"}";
in
[
  (builtins.hasContext s)
  (builtins.getContext s)
  (builtins.unsafeDiscardStringContext s)
  (builtins.hasContext (toString 1))
  (builtins.getContext "")
]
