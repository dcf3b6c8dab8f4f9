let
  args = "outer";
in
(args@{ x }: args.x + x) { x = 2; }
