let
  lt = {
    __functor = self: a: b: a < b;
  };
  double = {
    __functor = self: x: x * 2;
  };
in
{
  sort = builtins.sort lt [ 3 1 2 ];
  foldl = builtins.foldl' { __functor = s: a: b: a + b; } 0 [ 1 2 ];
  genList = builtins.genList double 3;
  mapAttrs = builtins.mapAttrs { __functor = s: n: v: v + 1; } { a = 1; };
  concatMap = builtins.concatMap { __functor = s: x: [ x x ]; } [ 1 ];
  any = builtins.any { __functor = s: x: x > 1; } [ 1 2 ];
  partition = builtins.partition { __functor = s: x: x > 1; } [ 1 2 ];
  groupBy = builtins.groupBy { __functor = s: x: "k"; } [ 1 ];
  zipAttrsWith = builtins.zipAttrsWith { __functor = s: n: v: v; } [ { a = 1; } ];
  selfApplied = { __functor = self: self.x; x = y: y + 1; } 1;
}
