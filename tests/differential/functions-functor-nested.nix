let
  counter = n: {
    __functor = self: x: counter (self.n + x);
    inherit n;
  };
in
((counter 0) 1 2 3).n
