//! neve-eval: evaluates Nix expressions. Source is parsed by `neve-syntax`,
//! resolved and compiled to bytecode, and run lazily by a virtual machine.
pub mod regex;
