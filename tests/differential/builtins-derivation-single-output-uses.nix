# A derivation without `outputs` where programs use one: as a string, in
# JSON, compared, its context, its function's arguments.
let
  d = derivation { name = "uses"; system = "x"; builder = "/b"; };
  e = derivation { name = "user"; system = "x"; builder = "/b"; dep = d; };
in
[
  "${d}"
  (builtins.toJSON d)
  (builtins.toJSON { inherit d; })
  (d == d.out)
  (d == builtins.head d.all)
  (d.out.out.out.drvPath == d.drvPath)
  (builtins.getContext d.drvPath)
  (builtins.getContext d.outPath)
  (builtins.getContext "${e}")
  (builtins.unsafeDiscardOutputDependency d.drvPath)
  (builtins.functionArgs derivation)
  (builtins.typeOf derivation)
  (map (x: x.outputName) d.all)
  (builtins.tryEval (derivation { name = "bad"; system = "x"; builder = throw "no"; }).drvPath)
  ((derivation { name = "lazy"; system = "x"; builder = throw "no"; }).name)
  (builtins.isAttrs (derivation { system = "x"; builder = "/b"; }))
  e.drvPath
]
