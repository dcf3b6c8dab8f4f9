# Functions whose body never captures its environment keep their argument on
# the value stack. A numeric operation on it that cannot be computed at once
# (the argument is still a thunk) becomes a thunk reading a copy of it.
let
  g = y: y * 2;
  f = x: g (x + 1);
  twice = x: [ x x (x - 1) ];
  lazyArg = x: 1;
  outer = 10;
  addOuter = x: x + outer;
in {
  fallback = f (builtins.length [ 1 2 ]);
  eager = f 4;
  shared = twice (builtins.length [ 1 2 3 ]);
  ignored = lazyArg (throw "never forced");
  levels = map addOuter [ 1 2 3 ];
  floats = map (x: x / 2) [ 1.0 3 (builtins.length [ 1 ]) ];
  nested = builtins.foldl' (acc: x: acc + x * outer) 0 [ 1 2 3 ];
}
