let
  inner = builtins.tryEval (throw "inner");
  outer = builtins.tryEval (if inner.success then 1 else throw "outer");
in
[
  inner
  outer
]
