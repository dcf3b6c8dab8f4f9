{
  fromDefaultNix = true;
  sibling = import ../function.nix { a = 4; };
}
