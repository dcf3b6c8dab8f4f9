let
  safeDiv = a: b: builtins.tryEval (if b == 0 then throw "div" else a / b);
in
[
  (safeDiv 6 3)
  (safeDiv 1 0)
]
