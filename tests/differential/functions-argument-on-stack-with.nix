# `with` lookups from the body of a function without an environment of its
# own start one level further out; lexical bindings still win.
let
  ns = { y = 5; x = 100; };
in with ns; {
  fromWith = (x: x + y) 1;
  lexicalWins = (x: x) 7;
  inner = with { y = 6; }; (x: x * y) 2;
  deep = let f = n: if n == 0 then y else 1 + f (n - 1); in f 3000;
}
