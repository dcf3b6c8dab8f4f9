builtins.toXML {
  drv = {
    type = "derivation";
    name = "fake";
    outPath = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-fake";
    drvPath = "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-fake.drv";
  };
  list = [
    {
      type = "derivation";
      drvPath = "/x.drv";
    }
  ];
}
