map builtins.parseDrvName [
  "hello-2.10"
  "nix-unstable-1.0pre"
  "no-version"
  "a-1-b-2"
  "simple"
]
