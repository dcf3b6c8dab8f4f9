[
  (builtins.match "b" "abc")
  (builtins.match "a.c" "abc")
  (builtins.match "(.*)\\.nix" "file.nix")
  (builtins.match "([^=]+)=(.*)" "key=val=ue")
]
