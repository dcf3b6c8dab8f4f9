# The single-output path of `derivation` (no `outputs` attribute) gives the
# same value as naming the output explicitly.
let
  a = derivation { name = "a"; system = "x"; builder = "/b"; };
  b = derivation { name = "a"; system = "x"; builder = "/b"; outputs = [ "out" ]; };
in
[
  (a.drvPath == b.drvPath)
  (a.outPath == b.outPath)
  (builtins.attrNames a == builtins.attrNames b)
  (builtins.length a.all)
  (builtins.head a.all).outPath
  a.out.out.outputName
  a.out.all
  a.drvAttrs
  (a.type == b.type)
]
