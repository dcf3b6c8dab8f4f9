[
  (builtins.hasContext "abc")
  (builtins.getContext "abc")
  (builtins.unsafeDiscardStringContext "abc")
]
