builtins.functionArgs ({ a ? throw "x", b ? abort "y" }: a)
