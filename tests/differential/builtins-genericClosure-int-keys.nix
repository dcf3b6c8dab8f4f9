map (x: x.key) (builtins.genericClosure {
  startSet = [ { key = 10; } ];
  operator = x: if x.key > 1 then [ { key = x.key / 2; } { key = x.key - 3; } ] else [ ];
})
