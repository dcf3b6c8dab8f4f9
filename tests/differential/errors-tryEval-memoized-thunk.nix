let
  bad = throw "once";
  a = builtins.tryEval bad;
  b = builtins.tryEval bad;
in
[
  a.success
  b.success
]
