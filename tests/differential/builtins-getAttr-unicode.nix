builtins.getAttr "λ" { "λ" = "lambda"; "" = "empty"; } + builtins.getAttr "" { "" = "!"; }
