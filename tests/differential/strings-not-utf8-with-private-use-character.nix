# A file that is not UTF-8 (a stray byte 0xff) and also holds U+10FF80,
# a character of the range that stands in for stray bytes: both are kept.
let s = "ô¾€" + "ÿ"; in [ s (builtins.stringLength s) ]
