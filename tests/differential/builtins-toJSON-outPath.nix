builtins.toJSON {
  p = {
    outPath = "/nix/store/fake";
    other = 1;
  };
  s = {
    __toString = self: "ignored";
    x = 1;
  };
}
