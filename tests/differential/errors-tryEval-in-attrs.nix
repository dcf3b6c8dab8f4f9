builtins.mapAttrs (n: v: (builtins.tryEval v).success) {
  a = 1;
  b = throw "b";
  c = assert true; 3;
}
