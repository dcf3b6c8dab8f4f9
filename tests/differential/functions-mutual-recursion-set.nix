let
  s = {
    isEven = n: if n == 0 then true else s.isOdd (n - 1);
    isOdd = n: if n == 0 then false else s.isEven (n - 1);
  };
in
map s.isEven [
  0
  1
  10
  11
]
