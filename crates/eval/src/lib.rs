//! neve-eval: evaluates Nix expressions. Source is parsed by `neve-syntax`,
//! lowered to a resolved HIR ([`hir`]), compiled to bytecode, and run lazily
//! by a virtual machine.

pub mod globals;
pub mod hir;
pub mod regex;
pub mod symbol;

use neve_syntax::{Parse, SyntaxError};

/// Every error CppNix reports before evaluating a file: its syntax errors,
/// or when there are none, its undefined variables.
pub fn check_file(parse: &Parse, settings: &globals::GlobalSettings) -> Vec<SyntaxError> {
    if !parse.ok() {
        return parse.errors().to_vec();
    }
    let mut interner = symbol::Interner::new();
    hir::lower(parse, &mut interner, &|name| settings.is_global(name)).errors
}
