//! Printing without `--strict`: what is still a thunk prints as one, as in
//! CppNix. The differential corpus runs with `--strict`, which forces
//! everything and so cannot see where neve binds a value and CppNix a
//! thunk, or the other way round (formals' defaults, variables read after
//! they are evaluated, the attributes `derivation` leaves unevaluated).
//! Each expression is evaluated by both; CppNix 2.8 prints `<CODE>` where
//! current Nix (and neve) print `«thunk»`. (A default naming an earlier
//! formal, `{ x ? 1, y ? x }`, shares that formal's value as current Nix
//! does, where 2.8 makes a thunk: not compared here.)

mod support;

use std::process::Command;

const EXPRESSIONS: &[&str] = &[
    // Constant and global defaults are bound as values, others as thunks.
    r#"let f = { x ? null, y ? { }, z ? "s", w ? 1.5, v ? true, u ? [ 1 ] }: [ x y z w v u ]; in f { }"#,
    "let f = a@{ x ? 1, ... }: [ a x ]; in f { y = 2; }",
    // A variable read after it was evaluated.
    "let x = { a = 1; }; y = [ x.a x ]; in builtins.seq x.a y",
    "let x = 1 + 1; y = [ x x ]; in builtins.seq (builtins.head y) y",
    "let x = [ 1 ]; f = { a }: [ a x ]; in builtins.seq x (f { a = x; })",
    // What `derivation` evaluates and what it leaves.
    r#"let d = derivation { name = "a"; system = "x"; builder = "y"; }; in builtins.seq d.out.type d"#,
    r#"let d = derivation { name = "a"; system = "x"; builder = "y"; }; in [ d.out d.drvAttrs d.outPath d.all ]"#,
    r#"(derivation { name = "a"; system = "x"; builder = "y"; }).all"#,
    r#"let d = derivation { name = "a"; system = "x"; builder = "y"; outputs = [ "out" "dev" ]; }; in builtins.seq d.dev.type d"#,
];

fn neve(expr: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_neve")).args(["eval", "-E", expr]).output().expect("neve runs");
    assert!(out.status.success(), "neve failed on {expr}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn cppnix(expr: &str) -> String {
    let out = Command::new("nix-instantiate")
        .env("NIX_REMOTE", "dummy://")
        .args(["--eval", "-E", expr])
        .output()
        .expect("nix-instantiate runs");
    assert!(out.status.success(), "CppNix failed on {expr}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).replace("<CODE>", "«thunk»")
}

#[test]
fn lazy_values_print_as_in_cppnix() {
    if !support::nix_instantiate_present() {
        return;
    }
    let differ: Vec<String> = EXPRESSIONS
        .iter()
        .filter_map(|e| {
            let (ours, theirs) = (neve(e), cppnix(e));
            (ours != theirs).then(|| format!("{e}\n  neve:   {ours}  cppnix: {theirs}"))
        })
        .collect();
    assert!(differ.is_empty(), "printed differently:\n{}", differ.join("\n"));
}
