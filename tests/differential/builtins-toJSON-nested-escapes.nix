builtins.toJSON {
  "key with \"quotes\"" = "\u{1}";
  "é" = [ "\t" ];
}
