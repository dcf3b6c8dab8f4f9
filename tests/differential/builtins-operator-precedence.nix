let
  s = { a = 1; };
in
[
  (1 + 2 * 3 - 4 / 2)
  (true || false && false)
  (!false || true)
  (1 < 2 == true)
  (false -> true || false)
  (builtins.add 1 2 * 3)
  (- 2 * - 3)
  (2 - 1 - 1)
  (8 / 2 / 2)
  (!(s ? a))
  (s.b or null == null)
  (s ? a && s.a == 1)
  ([ 1 ] ++ [ 2 ] ++ [ 3 ] == [ 1 2 3 ])
  ("a" + "b" + "c" == "abc")
  (s // { b = 2; } == { a = 1; b = 2; })
  (true -> false -> false)
]
