[
  (toString { __toString = s: "ts"; outPath = "op"; })
  "${{ outPath = { outPath = "x"; }; }}"
  (toString { __toString = s: 1; })
  (toString { __toString = s: [ 1 2 ]; })
  (toString { __toString = s: { outPath = "deep"; }; })
  "${{ __toString = s: s.v; v = "V"; }}"
  (builtins.toJSON { __toString = s: "j"; })
  (builtins.toJSON { outPath = 1; })
  (builtins.concatStringsSep "," [ { outPath = "a"; } "b" ])
  (builtins.stringLength { outPath = "abc"; })
  (builtins.substring 0 1 { __toString = s: "xyz"; })
  ("a" + { outPath = "b"; })
  (baseNameOf { outPath = "/x/y"; })
  (toString 9007199254740993)
  { ${toString 1.5} = 1; }
]
