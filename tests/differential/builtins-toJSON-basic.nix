builtins.toJSON {
  b = [
    1
    "x"
    null
    true
    false
  ];
  a = {
    c = -5;
    d = { };
    e = [ ];
  };
}
