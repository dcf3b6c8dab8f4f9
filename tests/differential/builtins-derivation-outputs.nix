let d = derivation { name = "a"; system = "x"; builder = "/b"; outputs = [ "out" "lib" ]; }; in [ d.lib.outPath d.outputName d.lib.outputName (builtins.attrNames d) ]
