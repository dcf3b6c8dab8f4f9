derivation { name = "fod-sri"; system = "x86_64-linux"; builder = "/bin/sh"; outputHash = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="; outputHashAlgo = ""; }
