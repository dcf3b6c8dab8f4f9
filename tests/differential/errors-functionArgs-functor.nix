builtins.functionArgs {
  __functor = self: x: x;
}
