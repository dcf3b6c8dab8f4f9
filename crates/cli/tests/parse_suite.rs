//! The upstream language suite's `parse-okay-*` and `parse-fail-*` cases,
//! run through the built `neve parse` binary exactly as the suite's README
//! says: from the folder holding `lang/`, on `lang/NAME.nix`.
//!
//! - `parse-okay-*` must exit 0 and print nothing on stderr.
//! - `parse-fail-*` must exit 1 with a located error: an `error:` line, an
//!   `at lang/NAME.nix:LINE:COL` line whose position exists in the file, and
//!   a caret line whose caret sits under that column.
//!
//! The cases known to pass are listed in `tests/data/parse-pass.txt`. A listed
//! case that fails is a regression and fails the test; a passing case that is
//! not listed is reported (set `NEVE_UPDATE_LISTS=1` to rewrite the list).
//! The first `error:` line is also compared with the case's `.err.exp` (with
//! `«stdin»` replaced by the path given to neve); that count is printed but
//! does not fail the test.
//!
//! The suite is found at `../shared/nix-lang-tests` from the workspace root, or
//! wherever `NEVE_LANG_TESTS` says. When it is missing the test fails under CI
//! (`CI` set) and is skipped otherwise.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NEVE: &str = env!("CARGO_BIN_EXE_neve");
const PASS_LIST: &str = "tests/data/parse-pass.txt";
/// No case may take longer than this: a hang is a failure too.
const TIMEOUT: Duration = Duration::from_secs(60);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The folder holding `lang/`, or `None` (after failing under CI) when absent.
fn suite_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("NEVE_LANG_TESTS") {
        Some(d) => {
            let d = PathBuf::from(d);
            // Accept the `lang` folder itself as well as its parent.
            if d.file_name().is_some_and(|n| n == "lang") && !d.join("lang").is_dir() {
                d.parent().map(Path::to_path_buf).unwrap_or(d)
            } else {
                d
            }
        }
        None => workspace_root().join("../shared/nix-lang-tests"),
    };
    if dir.join("lang").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("the language suite is missing at {} (set NEVE_LANG_TESTS)", dir.display());
    }
    eprintln!("note: the language suite is missing at {}; skipping (set NEVE_LANG_TESTS)", dir.display());
    None
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

fn run_neve_parse(suite: &Path, rel: &str) -> Outcome {
    let mut child = Command::new(NEVE)
        .arg("parse")
        .arg(rel)
        .current_dir(suite)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TEST_VAR", "foo")
        .env("IMPURE_VAR1", "foo")
        .env("IMPURE_VAR2", "bar")
        .env("HOME", "/fake-home")
        .env("NIX_PATH", "lang/dir3:lang/dir4")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the neve binary starts");
    // Read both pipes on threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for neve") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("waiting for the killed neve");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out_t.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_t.join().unwrap()).into_owned(),
        timed_out,
    }
}

/// Checks that `stderr` holds a located error for `rel` as CppNix lays it out:
/// `at REL:LINE:COL:` naming a position inside `source`, then the code lines
/// and a caret under column COL. Returns the reason when it does not.
fn check_located(stderr: &str, rel: &str, source: &[u8]) -> Result<(), String> {
    if !stderr.lines().any(|l| l.starts_with("error: ")) {
        return Err("no `error:` line".into());
    }
    let marker = format!("at {rel}:");
    let lines: Vec<&str> = stderr.lines().collect();
    let Some(at_idx) = lines.iter().position(|l| l.trim_start().starts_with(&marker)) else {
        return Err(format!("no `{marker}LINE:COL` location"));
    };
    let loc = lines[at_idx].trim_start()[marker.len()..].trim_end_matches(':');
    let (line, col) = loc
        .split_once(':')
        .and_then(|(l, c)| Some((l.parse::<usize>().ok()?, c.parse::<usize>().ok()?)))
        .ok_or_else(|| format!("malformed location `{}`", lines[at_idx]))?;
    // The position must exist: a line of the file (or the one just past a
    // final newline), and a column at most one past that line's end.
    let file_lines: Vec<&[u8]> = source.split(|&b| b == b'\n').collect();
    if line == 0 || line > file_lines.len() {
        return Err(format!("line {line} is outside the file ({} lines)", file_lines.len()));
    }
    let line_len = file_lines[line - 1].strip_suffix(b"\r").unwrap_or(file_lines[line - 1]).len();
    if col == 0 || col > line_len + 1 {
        return Err(format!("column {col} is outside line {line} ({line_len} bytes)"));
    }
    // The caret line: spaces, `|`, then COL spaces and `^`.
    let caret =
        lines[at_idx + 1..].iter().find(|l| l.trim_end().ends_with('^') && l.contains('|')).ok_or("no caret line")?;
    let after_bar = &caret[caret.find('|').unwrap() + 1..];
    let spaces = after_bar.len() - after_bar.trim_start_matches(' ').len();
    if after_bar.trim() != "^" || spaces != col {
        return Err(format!("caret line `{caret}` does not point at column {col}"));
    }
    // The line under the caret is shown, numbered, just above it.
    let numbered = format!("{line}|");
    if !lines[at_idx + 1..].iter().any(|l| l.trim_start().starts_with(&numbered)) {
        return Err(format!("line {line} of the code is not shown"));
    }
    Ok(())
}

fn read_list(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn parse_cases() {
    let Some(suite) = suite_dir() else { return };
    let mut cases: Vec<String> = std::fs::read_dir(suite.join("lang"))
        .expect("the lang folder is readable")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| (n.starts_with("parse-okay-") || n.starts_with("parse-fail-")) && n.ends_with(".nix"))
        .map(|n| n.trim_end_matches(".nix").to_string())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no parse-okay or parse-fail cases under {}", suite.display());

    let mut passed = BTreeSet::new();
    let mut failures = Vec::new();
    let (mut okay_total, mut okay_pass, mut fail_total, mut fail_pass) = (0, 0, 0, 0);
    let (mut msg_total, mut msg_match) = (0, 0);
    let mut msg_mismatches = Vec::new();

    for name in &cases {
        let rel = format!("lang/{name}.nix");
        let source = std::fs::read(suite.join(&rel)).expect("case file is readable");
        let out = run_neve_parse(&suite, &rel);
        let okay = name.starts_with("parse-okay-");
        let verdict: Result<(), String> = if out.timed_out {
            Err(format!("timed out after {TIMEOUT:?}"))
        } else if out.stderr.contains("panicked") || out.code.is_none() {
            Err(format!("crashed (exit {:?}): {}", out.code, out.stderr.trim_end()))
        } else if okay {
            okay_total += 1;
            if out.code != Some(0) {
                Err(format!("exit {:?}, expected 0: {}", out.code, out.stderr.trim_end()))
            } else if !out.stderr.is_empty() || !out.stdout.is_empty() {
                Err(format!("printed output on success: {}{}", out.stdout, out.stderr))
            } else {
                Ok(())
            }
        } else {
            fail_total += 1;
            if out.code != Some(1) {
                Err(format!("exit {:?}, expected 1: {}", out.code, out.stderr.trim_end()))
            } else {
                check_located(&out.stderr, &rel, &source).map_err(|e| format!("{e}; stderr:\n{}", out.stderr))
            }
        };
        if !okay {
            msg_total += 1;
            let expected = std::fs::read_to_string(suite.join(format!("lang/{name}.err.exp")))
                .unwrap_or_default()
                .replace("«stdin»", &rel);
            let exp_first = expected.lines().find(|l| l.starts_with("error:")).unwrap_or("");
            let got_first = out.stderr.lines().find(|l| l.starts_with("error:")).unwrap_or("");
            if !exp_first.is_empty() && exp_first == got_first {
                msg_match += 1;
            } else {
                msg_mismatches.push(format!("  {name}\n    expected: {exp_first}\n    got:      {got_first}"));
            }
        }
        match verdict {
            Ok(()) => {
                if okay {
                    okay_pass += 1;
                } else {
                    fail_pass += 1;
                }
                passed.insert(name.clone());
            }
            Err(why) => failures.push((name.clone(), why)),
        }
    }

    println!("parse-okay: {okay_pass}/{okay_total} pass");
    println!("parse-fail: {fail_pass}/{fail_total} pass");
    println!("parse-fail first error line equal to .err.exp: {msg_match}/{msg_total}");
    for m in &msg_mismatches {
        println!("{m}");
    }
    for (name, why) in &failures {
        println!("FAIL {name}: {why}");
    }

    let list_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PASS_LIST);
    let listed = read_list(&list_path);
    let regressions: Vec<&(String, String)> = failures.iter().filter(|(n, _)| listed.contains(n)).collect();
    let new_passes: Vec<&String> = passed.difference(&listed).collect();
    let known: BTreeSet<&String> = cases.iter().collect();
    let stale: Vec<&String> = listed.iter().filter(|n| !known.contains(n)).collect();
    if !new_passes.is_empty() {
        println!("note: these cases pass but are not listed in crates/cli/{PASS_LIST}; add them (or run with NEVE_UPDATE_LISTS=1):");
        for n in &new_passes {
            println!("  {n}");
        }
    }
    if !stale.is_empty() {
        println!("note: listed cases that are not in the suite: {stale:?}");
    }
    if std::env::var("NEVE_UPDATE_LISTS").is_ok_and(|v| v == "1") && (!new_passes.is_empty() || !stale.is_empty()) {
        // Keep what was listed and still exists (a regression stays listed,
        // so it keeps failing until fixed), plus the new passes.
        let updated: BTreeSet<&String> =
            listed.iter().filter(|n| known.contains(n)).chain(new_passes.iter().copied()).collect();
        let mut text = String::new();
        for n in updated {
            text.push_str(n);
            text.push('\n');
        }
        std::fs::write(&list_path, text).expect("writing the pass list");
        println!("note: rewrote {}", list_path.display());
    }
    assert!(
        regressions.is_empty(),
        "{} listed case(s) regressed:\n{}",
        regressions.len(),
        regressions.iter().map(|(n, why)| format!("{n}: {why}")).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn located_error_checker_rejects_bad_output() {
    // The checker above decides what passes; make sure it can say no.
    let src = b"{\n  x = 1;\n  x = 2;\n}\n";
    let good = "error: attribute 'x' already defined at lang/t.nix:2:3\n       at lang/t.nix:3:3:\n            2|   x = 1;\n            3|   x = 2;\n             |   ^\n            4| }\n";
    assert_eq!(check_located(good, "lang/t.nix", src), Ok(()));
    let wrong_caret = good.replace("|   ^", "|  ^");
    assert!(check_located(&wrong_caret, "lang/t.nix", src).is_err());
    let outside = good.replace("at lang/t.nix:3:3:", "at lang/t.nix:9:3:");
    assert!(check_located(&outside, "lang/t.nix", src).is_err());
    let wrong_col = good.replace("at lang/t.nix:3:3:", "at lang/t.nix:3:30:");
    assert!(check_located(&wrong_col, "lang/t.nix", src).is_err());
    assert!(check_located("error: oops\n", "lang/t.nix", src).is_err());
    assert!(check_located(&good.replace("error: ", "warning: "), "lang/t.nix", src).is_err());
}
