# Elements are evaluated and checked to be lists in order: the first
# problem wins, whether it is a failure or an element that is not a list.
let
  attempt = xs: builtins.tryEval (builtins.length (builtins.concatLists xs));
in
[
  (attempt [ [ 1 ] (throw "second") 3 ])
  (builtins.concatLists (builtins.genList (i: builtins.genList (j: i * j) i) 5))
  (builtins.concatLists [ [ 1 ] 2 (throw "never") ])
]
