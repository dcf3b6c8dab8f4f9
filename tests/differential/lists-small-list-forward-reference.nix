# A list of one or two elements is kept inside the value that holds it, so
# its identity (what «repeated» tracks) is its binding's: a name bound to it
# before it is defined, or in its own definition, is that same binding.
let
  a = [ b ];
  b = [ 1 ];
  c = { x = d; };
  d = [ 2 3 ];
  l = [ l ];
  big = [ b2 ];
  b2 = [ 1 2 3 ];
in
{
  inherit a b c d l big b2;
  set = rec { p = [ q ]; q = [ 4 ]; r = [ r 5 ]; };
}
