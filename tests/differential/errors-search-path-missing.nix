<definitely-not-on-the-nix-path>
