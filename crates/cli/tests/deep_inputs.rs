//! Inputs deep enough to overflow a native stack, if anything recursed on
//! them: Nix recursion a million calls deep, long chains of operators and
//! deep nesting in the source. Each must finish or fail with a clean error
//! (exit code 1), never crash.

use std::process::Command;

fn neve(args: &[&str]) -> (String, String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_neve")).args(args).output().expect("neve runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// A temporary file of `n` copies of `prefix`, then `middle`; removed when
/// dropped.
struct TempFile(std::path::PathBuf);

fn file(prefix: &str, n: usize, middle: &str) -> TempFile {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let path = std::env::temp_dir().join(format!("neve-deep-{}-{}.nix", std::process::id(), t.as_nanos()));
    std::fs::write(&path, format!("{}{middle}", prefix.repeat(n))).expect("temporary file written");
    TempFile(path)
}

impl TempFile {
    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const COUNT_DOWN: &str = "let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 1000000";

#[test]
fn recursion_a_million_calls_deep_finishes_when_allowed() {
    let (stdout, stderr, code) = neve(&["eval", "--max-call-depth", "2000000", "-E", COUNT_DOWN]);
    assert_eq!((stdout.as_str(), code), ("1000000\n", Some(0)), "{stderr}");
}

#[test]
fn recursion_past_the_call_depth_fails_cleanly() {
    let (stdout, stderr, code) = neve(&["eval", "-E", COUNT_DOWN]);
    assert_eq!((stdout.as_str(), code), ("", Some(1)));
    assert!(stderr.contains("error: stack overflow; max-call-depth exceeded"), "{stderr}");
}

#[test]
fn builtins_over_a_million_elements_finish() {
    let expr = "builtins.foldl' (a: b: a + b) 0 (map (x: x * 2) (builtins.genList (x: x) 1000000))";
    let (stdout, stderr, code) = neve(&["eval", "-E", expr]);
    assert_eq!((stdout.as_str(), code), ("999999000000\n", Some(0)), "{stderr}");
}

#[test]
fn a_chain_of_a_hundred_thousand_operators_evaluates() {
    // CppNix evaluates this one too.
    let f = file("1 + ", 100_000, "1");
    let (stdout, stderr, code) = neve(&["eval", f.path()]);
    assert_eq!((stdout.as_str(), code), ("100001\n", Some(0)), "{stderr}");
}

#[test]
fn longer_chains_are_errors_not_crashes() {
    // Two million operators overflowed a 512 MiB stack before chains had
    // a limit; the others are past the limit too.
    for (prefix, middle, n) in [("1 + ", "1", 2_000_000), ("f ", "a", 300_000), ("a |> ", "f", 300_000)] {
        let f = file(prefix, n, middle);
        for command in ["parse", "eval"] {
            let (_, stderr, code) = neve(&[command, f.path()]);
            assert_eq!(code, Some(1), "{command} {prefix:?}: {stderr}");
            assert!(stderr.contains("expression nested too deeply"), "{command} {prefix:?}: {stderr}");
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (prefix, middle) in [("[", ""), ("(", "1"), ("{ a = ", "1")] {
        let f = file(prefix, 300_000, middle);
        let (_, stderr, code) = neve(&["eval", f.path()]);
        assert_eq!(code, Some(1), "{prefix:?}: {stderr}");
        assert!(stderr.contains("expression nested too deeply"), "{prefix:?}: {stderr}");
    }
}

#[test]
fn nesting_at_cppnix_depth_parses_and_past_the_limit_is_a_located_error() {
    // 9 999 parentheses are within the limit (CppNix's parser takes 9 996);
    // the 10 000th is past it, and the error points at it.
    let within = file("(", 9_999, &format!("1{}", ")".repeat(9_999)));
    let (stdout, stderr, code) = neve(&["eval", within.path()]);
    assert_eq!((stdout.as_str(), code), ("1\n", Some(0)), "{stderr}");
    let past = file("(", 10_000, &format!("1{}", ")".repeat(10_000)));
    let (_, stderr, code) = neve(&["eval", past.path()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.starts_with("error: expression nested too deeply\n"), "{stderr}");
    assert!(stderr.contains(&format!("at {}:1:10001:", past.path())), "{stderr}");
    assert!(stderr.contains("^"), "the code is underlined: {stderr}");
}

/// `toJSON` counts a call per level of what it converts, on top of the
/// calls it is made from, as CppNix's `printValueAsJSON` does: below 51
/// calls of `f` and the call of `toJSON` itself, a value nested 48 deep
/// fits in a depth of 100 and one nested 49 deep does not.
#[test]
fn to_json_counts_from_the_depth_it_is_called_at() {
    let run = |levels: usize| {
        let expr = format!(
            "let s = builtins.foldl' (acc: _: {{ x = acc; }}) 1 (builtins.genList (x: x) {levels});
                 f = n: if n == 0 then builtins.toJSON s else f (n - 1);
             in builtins.seq (builtins.deepSeq s null) (f 50)"
        );
        neve(&["eval", "--max-call-depth", "100", "-E", &expr])
    };
    let (stdout, stderr, code) = run(47);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("\"{\\\"x\\\":"), "{stdout}");
    let (_, stderr, code) = run(48);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("error: stack overflow; max-call-depth exceeded"), "{stderr}");
}
