# A small package set in the style of nixpkgs: a fixpoint with an overlay.
let
  lib = {
    fix = f: let x = f x; in x;
    extends = overlay: base: self: let super = base self; in super // overlay self super;
  };
  base = self: {
    greeting = "hello";
    hello = { name = "hello-2.12"; message = "${self.greeting}, world"; };
    tools = [ self.hello.name "coreutils" ];
  };
  overlay = self: super: {
    greeting = "hi";
    hello = super.hello // { patched = true; };
  };
in
lib.fix (lib.extends overlay base)
