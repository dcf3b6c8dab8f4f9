let
  sp = [
    {
      prefix = "lib";
      path = toString ./lib;
    }
    {
      prefix = "";
      path = toString ./.;
    }
  ];
in
[
  (baseNameOf (builtins.findFile sp "lib/text.txt"))
  (baseNameOf (builtins.findFile sp "lib"))
  (builtins.typeOf (builtins.findFile sp "lib/dir"))
]
