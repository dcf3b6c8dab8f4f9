builtins.hashString "sha1" "héllo ✓"
