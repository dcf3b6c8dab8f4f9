builtins.fromJSON ''["\u00e9", "\u2713", "\n\t\"", "\/", "\ud83c\udf89"]''
