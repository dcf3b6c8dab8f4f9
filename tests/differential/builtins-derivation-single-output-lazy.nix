# Nothing of the single-output path forces an attribute that is not asked for.
let
  d = derivation { name = "lazy"; system = "x"; builder = throw "builder"; extra = throw "extra"; };
in
[ d.name d.outputName d.type (builtins.attrNames d) (builtins.tryEval d.outPath).success (builtins.tryEval d.out.drvPath).success ]
