(args@{ a, ... }: a + builtins.length (builtins.attrNames args)) {
  a = 1;
  b = throw "b";
  c = throw "c";
}
