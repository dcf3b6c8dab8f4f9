{ a ? 1 }:
{
  doubled = a * 2;
  from = "lib/function.nix";
}
