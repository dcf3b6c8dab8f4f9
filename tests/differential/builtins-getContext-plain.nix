[ (builtins.getContext "plain") (builtins.getContext "") ]
