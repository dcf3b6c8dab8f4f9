let
  const = x: y: x;
in
[
  ((x: 1) (throw "arg"))
  (const 2 (abort "second"))
]
