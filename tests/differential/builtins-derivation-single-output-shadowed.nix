# Attributes given to `derivation` under the names it adds (`all`, `out`,
# `type`, `outputName`, `drvPath`, `outPath`, `drvAttrs`) are replaced in the
# result, but stay in `drvAttrs` and in the store derivation's environment.
let
  d = derivation {
    name = "shadowed";
    system = "x";
    builder = "/b";
    all = 1;
    out = 2;
    type = "t";
    outputName = "o";
    drvPath = "p";
    outPath = "q";
    drvAttrs = 3;
  };
in
[
  (builtins.isList d.all)
  (builtins.isAttrs d.out)
  d.type
  d.outputName
  d.drvPath
  d.outPath
  d.drvAttrs.all
  d.drvAttrs.outPath
  (builtins.attrNames d)
]
