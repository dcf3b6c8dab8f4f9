# An argument such as `n - 1` computed when the call is made: a function
# that only forces it gets the number itself; one that passes it on, stores
# or compares it by identity still sees it in a thunk of its own.
let
  big = 1.0e308 * 10.0;
  inf = big;
  elemSelf = x: builtins.elem x [ x ];
  keep = x: [ x ];
  sumTo = n: if n == 0 then 0 else n + sumTo (n - 1);
  fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2);
  half = x: x / 2;
in {
  nanIsItself = elemSelf (inf - inf);
  nanEqualsNot = (x: x == x) (inf - inf);
  kept = keep (inf - 1.0);
  sum = sumTo 2000;
  fib = fib 15;
  intHalf = half (7 - 2);
  floatHalf = half (7 - 2.0);
  overflow = builtins.tryEval ((x: x) (9223372036854775807 + 0));
}
