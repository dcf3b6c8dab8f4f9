derivation { name = "fod-base64"; system = "x86_64-linux"; builder = "/bin/sh"; outputHash = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="; outputHashAlgo = "sha256"; }
