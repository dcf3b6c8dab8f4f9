//! Builtins that force their argument before anything else (`toString`,
//! `stringLength`) may have it forced by the VM, which then tries their
//! shortcut again instead of starting their future. The traces must come
//! out as the future gives them: the builtin's "while calling" frame
//! around whatever forcing the argument raised, and its own frames only
//! for what it does with the value.

use std::process::Command;

/// The frame lines and the final error line of `neve eval --show-trace -E expr`.
fn frames(expr: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_neve"))
        .args(["eval", "--show-trace", "-E", expr])
        .output()
        .expect("neve runs");
    assert_eq!(out.status.code(), Some(1), "{expr} fails");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('…') || l.starts_with("error: "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_argument_that_fails_when_forced() {
    assert_eq!(
        frames(r#"let f = x: builtins.stringLength x; in f (throw "boom")"#),
        [
            "… from call site",
            "… while calling 'f'",
            "… while calling the 'stringLength' builtin",
            "… while calling the 'throw' builtin",
            "error: boom",
        ]
    );
    assert_eq!(
        frames(r#"let f = x: toString x; in f (1 + "a")"#),
        [
            "… from call site",
            "… while calling 'f'",
            "… while calling the 'toString' builtin",
            "error: cannot add a string to an integer",
        ]
    );
}

#[test]
fn a_forced_argument_the_shortcut_cannot_take() {
    assert_eq!(
        frames("let f = x: toString x; in f { }"),
        [
            "… from call site",
            "… while calling 'f'",
            "… while calling the 'toString' builtin",
            "… while evaluating the first argument passed to builtins.toString",
            "error: cannot coerce a set to a string: { }",
        ]
    );
    assert_eq!(
        frames(r#"let f = x: toString x; in f [ 1 (throw "inlist") ]"#),
        [
            "… from call site",
            "… while calling 'f'",
            "… while calling the 'toString' builtin",
            "… while evaluating the first argument passed to builtins.toString",
            "… while calling the 'throw' builtin",
            "error: inlist",
        ]
    );
}

#[test]
fn values_through_both_paths() {
    let out = Command::new(env!("CARGO_BIN_EXE_neve"))
        .args([
            "eval",
            "--strict",
            "-E",
            r#"let f = x: toString x; g = y: builtins.stringLength y; in
               [ (f (1 + 2)) (f [ 1 "a" null ]) (f { outPath = "/p"; }) (g (f 12345)) (f true) ]"#,
        ])
        .output()
        .expect("neve runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[ \"3\" \"1 a \" \"/p\" 5 \"1\" ]\n");
}
