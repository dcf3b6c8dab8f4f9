map builtins.isPath [ ./. "/a" (./. + "/a") (toString ./.) /abs/path ]
