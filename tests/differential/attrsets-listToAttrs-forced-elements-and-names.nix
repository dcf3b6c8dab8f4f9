# Elements and names that are thunks, already evaluated, or shared.
let
  names = builtins.genList (i: "n${toString (builtins.div i 2)}") 8;
  shared = { name = "s"; value = "shared"; };
  pairs = map (n: { name = n; value = builtins.stringLength n; }) names ++ [ shared shared ];
  set = builtins.listToAttrs pairs;
in
[ set (builtins.attrNames set) (builtins.listToAttrs [ ]) ]
