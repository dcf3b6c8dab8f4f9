let
  a = 100;
in
({ a ? 1, b ? a }: b) { }
