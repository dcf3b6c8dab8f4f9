[
  builtins.true
  builtins.false
  builtins.null
  builtins.langVersion
]
