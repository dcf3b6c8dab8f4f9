//! `traceVerbose` and `warn` under the flags that change them.

use std::process::Command;

fn neve(args: &[&str]) -> (String, String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_neve")).args(args).output().expect("neve runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn trace_verbose_traces_only_when_asked() {
    let expr = "builtins.traceVerbose \"x\" 1";
    assert_eq!(neve(&["eval", "-E", expr]), ("1\n".into(), String::new(), Some(0)));
    assert_eq!(neve(&["eval", "--trace-verbose", "-E", expr]), ("1\n".into(), "trace: x\n".into(), Some(0)));
}

#[test]
fn abort_on_warn_fails_after_the_warning() {
    let expr = "builtins.warn \"careful\" 1";
    let (stdout, stderr, code) = neve(&["eval", "--abort-on-warn", "-E", expr]);
    assert_eq!((stdout.as_str(), code), ("", Some(1)));
    assert!(stderr.starts_with("evaluation warning: careful\n"), "{stderr}");
    assert!(stderr.contains("error: aborting to reveal stack trace of warning, as abort-on-warn is set"), "{stderr}");
}
