builtins.length (builtins.genericClosure {
  startSet = [ { key = 0; payload = throw "unused"; } ];
  operator = x: if x.key < 3 then [ { key = x.key + 1; payload = throw "unused"; } ] else [ ];
})
