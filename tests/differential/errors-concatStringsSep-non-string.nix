builtins.concatStringsSep "," [ 1 ]
