let
  recUpdate =
    l: r:
    l
    // builtins.mapAttrs (
      n: v: if builtins.isAttrs v && l ? ${n} && builtins.isAttrs l.${n} then recUpdate l.${n} v else v
    ) r;
in
recUpdate {
  a = {
    x = 1;
    y = 2;
  };
  b = 1;
} {
  a = {
    y = 3;
    z = 4;
  };
  c = 5;
}
