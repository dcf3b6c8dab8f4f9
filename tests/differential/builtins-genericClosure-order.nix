builtins.genericClosure {
  startSet = [
    { key = "c"; }
    { key = "a"; }
    { key = "c"; }
  ];
  operator =
    item:
    if item.key == "a" then
      [
        { key = "b"; }
        { key = "c"; }
      ]
    else if item.key == "b" then
      [ { key = "d"; extra = 1; } ]
    else
      [ ];
}
