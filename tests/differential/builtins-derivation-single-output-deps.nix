# A chain of single-output derivations, each an input of the next.
let
  step = prev: i: derivation { name = "s${toString i}"; system = "x"; builder = "/b"; dep = prev; args = [ prev.out ]; };
  last = builtins.foldl' step (derivation { name = "s"; system = "x"; builder = "/b"; }) (builtins.genList (i: i) 20);
in
[ last.drvPath last.outPath last.drvAttrs.dep.drvAttrs.dep.name ]
