map builtins.isString [ "" ''x'' ./. "${./lib/text.txt}" 1 null ]
