let
  vals = [
    1
    1.0
    "s"
    true
    null
    [ ]
    { }
    (x: x)
    ./.
  ];
  preds = with builtins; [
    isInt
    isFloat
    isString
    isBool
    isNull
    isList
    isAttrs
    isFunction
    isPath
  ];
in
map (p: map (v: if p v then 1 else 0) vals) preds
