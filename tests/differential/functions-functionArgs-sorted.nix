builtins.functionArgs ({ z, a, m ? 1, b ? null }: z)
