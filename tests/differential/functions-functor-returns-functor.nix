let
  f = {
    __functor = self: a: {
      __functor = self2: b: a + b;
    };
  };
in
f 1 2
