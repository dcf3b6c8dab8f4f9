# `foldl'` calls `acc: x: ...` with both arguments at once; when the inner
# body captures nothing, both stay on the value stack. Operations on them
# that cannot be computed at once still see both.
let
  g = y: y * 2;
  outer = 3;
  lazyList = [ (builtins.length [ 1 ]) (builtins.length [ 1 2 ]) 5 ];
in {
  fallback = builtins.foldl' (acc: x: g (acc + x)) 0 lazyList;
  levels = builtins.foldl' (acc: x: acc * outer + x) 0 [ 1 2 3 ];
  withInside = with { w = 10; }; builtins.foldl' (acc: x: acc + x * w) 0 [ 1 2 ];
  ignoresElement = builtins.foldl' (acc: _: acc + 1) 0 [ (throw "never") (throw "forced") ];
  lazyAcc = builtins.foldl' (acc: x: x) (throw "not forced") [ 1 2 ];
  partial = let add = a: b: a + b; inc = add 1; in map inc [ 1 2 ];
  compared = builtins.foldl' (acc: x: acc && x > 0) true [ 1 2 (builtins.length [ 3 ]) ];
}
