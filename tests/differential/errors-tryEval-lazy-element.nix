let
  r = builtins.tryEval [ (throw "x") ];
in
[
  r.success
  (builtins.length r.value)
]
