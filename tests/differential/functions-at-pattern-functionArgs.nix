builtins.functionArgs (all@{ x, y ? 1 }: all)
