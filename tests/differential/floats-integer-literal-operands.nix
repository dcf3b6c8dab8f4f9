# Operations whose right operand is an integer literal are one instruction;
# every kind of left operand still gets the general semantics.
let
  ops = x: {
    add = x + 3;
    sub = x - 3;
    mul = x * 3;
    div = x / 3;
    lt = x < 3;
    le = x <= 3;
    gt = x > 3;
    ge = x >= 3;
    eq = x == 3;
    neq = x != 3;
    negLit = x - (-3);
  };
in {
  int = ops 7;
  negative = ops (-7);
  float = ops 7.5;
  exact = ops 3;
  floatThree = ops 3.0;
  thunk = ops (builtins.length [ 1 2 3 ]);
  stringEq = "3" == 3;
  listNeq = [ 3 ] != 3;
  nullEq = null == 0;
}
