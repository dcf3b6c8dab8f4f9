builtins.mapAttrs (n: f: builtins.functionArgs f) {
  one = { a }: a;
  two = { b ? 1, c }: b;
}
