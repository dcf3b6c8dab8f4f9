# `a > b` is `lessThan b a` and `a <= b` is `!(lessThan b a)`: the right
# operand is evaluated first; `<` and `>=` evaluate the left one first.
# `abort` cannot be caught and `throw` can, so the order decides between a
# caught error and a failed evaluation.
let
  caught = e: (builtins.tryEval e).success;
in
[
  (caught ((abort "left") > (throw "right")))
  (caught ((abort "left") <= (throw "right")))
  (caught ((throw "left") < (abort "right")))
  (caught ((throw "left") >= (abort "right")))
  (caught (1 > (throw "right")))
  (caught ((throw "left") <= 1))
  (2 > 1)
  (1 > 2)
  (2 <= 1)
  (1 <= 2)
  (1 <= 1)
  (1.5 > 1)
  ("b" > "a")
  ([ 1 2 ] > [ 1 ])
  ([ 1 ] <= [ 1 2 ])
]
