builtins.length (builtins.filter {
  __functor = self: x: x > self.t;
  t = 2;
} [
  1
  2
  3
  4
])
