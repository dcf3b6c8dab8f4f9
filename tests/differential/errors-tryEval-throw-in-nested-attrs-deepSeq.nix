builtins.tryEval (builtins.deepSeq {
  a.b.c = throw "deep";
} true)
