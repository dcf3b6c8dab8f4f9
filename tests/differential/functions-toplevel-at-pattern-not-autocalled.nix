args@{ ... }:
args
