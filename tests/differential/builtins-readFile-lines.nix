let
  text = builtins.readFile ./lib/text.txt;
in
builtins.filter builtins.isString (builtins.split "\n" text)
