//! Differential tests of `neve_eval::regex` against CppNix 2.8.
//!
//! `regex_corpus.txt` holds one case a line:
//! `match|split "<pattern>" "<subject>" => <CppNix's output>`, where the two
//! strings are Nix string literals and the output is what
//! `nix-instantiate --eval --strict` printed for `builtins.match` /
//! `builtins.split` on them, or `!invalid` / `!too_large` for the two
//! regex errors.
//!
//! - `recorded_corpus` compares the engine with the recorded outputs.
//! - `live_cppnix` re-runs a sample against `nix-instantiate` when it is on
//!   `PATH`; with `NEVE_REGEX_REGEN=1` it re-records the whole corpus
//!   instead (`cargo test -p neve-eval --test regex_corpus live_cppnix`).

use std::path::{Path, PathBuf};
use std::process::Command;

use neve_eval::regex::{Captures, Regex, RegexErrorKind};

#[derive(Clone, Debug)]
struct Case {
    op: String,
    re_lit: String,
    s_lit: String,
    re: Vec<u8>,
    s: Vec<u8>,
    expected: Option<String>,
}

/// The corpus file; `NEVE_REGEX_CORPUS` points the tests at another one
/// (handy for ad-hoc random cases).
fn corpus_path() -> PathBuf {
    match std::env::var_os("NEVE_REGEX_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regex_corpus.txt"),
    }
}

/// Reads a Nix string literal at the start of `text`; returns the literal's
/// source, its value, and the rest of `text`.
fn nix_literal(text: &str) -> (String, Vec<u8>, &str) {
    let bytes = text.as_bytes();
    assert_eq!(bytes.first(), Some(&b'"'), "expected a string literal: {text}");
    let mut value = Vec::new();
    let mut i = 1;
    loop {
        match bytes[i] {
            b'"' => break,
            b'\\' => {
                i += 1;
                value.push(match bytes[i] {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    c => c,
                });
            }
            c => value.push(c),
        }
        i += 1;
    }
    (text[..=i].to_string(), value, &text[i + 1..])
}

fn parse_case(line: &str) -> Case {
    let (op, rest) = line.split_once(' ').expect("an operation");
    let (re_lit, re, rest) = nix_literal(rest);
    let (s_lit, s, rest) = nix_literal(rest.trim_start());
    let expected = rest.trim_start().strip_prefix("=> ").map(|e| e.trim_end().to_string());
    Case { op: op.to_string(), re_lit, s_lit, re, s, expected }
}

fn load() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus_path()).expect("the corpus");
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(parse_case).collect()
}

/// A string as `nix-instantiate --eval` prints it.
fn nix_string(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(b'"');
    for (i, &c) in s.iter().enumerate() {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'$' if s.get(i + 1) == Some(&b'{') => out.extend_from_slice(b"\\$"),
            c => out.push(c),
        }
    }
    out.push(b'"');
    String::from_utf8_lossy(&out).into_owned()
}

fn nix_list(items: &[String]) -> String {
    if items.is_empty() {
        "[ ]".to_string()
    } else {
        format!("[ {} ]", items.join(" "))
    }
}

fn captures_list(s: &[u8], caps: &[Option<std::ops::Range<usize>>]) -> String {
    let items: Vec<String> = caps
        .iter()
        .map(|c| match c {
            None => "null".to_string(),
            Some(r) => nix_string(&s[r.clone()]),
        })
        .collect();
    nix_list(&items)
}

/// What CppNix would print for the case, computed by the engine.
fn ours(case: &Case) -> String {
    let re = match Regex::new(&case.re) {
        Ok(re) => re,
        Err(e) => {
            return match e.kind {
                RegexErrorKind::Invalid => "!invalid".to_string(),
                RegexErrorKind::TooLarge => "!too_large".to_string(),
            }
        }
    };
    let s = &case.s;
    match case.op.as_str() {
        "match" => match re.full_match(s) {
            None => "null".to_string(),
            Some(caps) => captures_list(s, &caps),
        },
        "split" => {
            let matches: Vec<Captures> = re.matches(s);
            if matches.is_empty() {
                return nix_list(&[nix_string(s)]);
            }
            let mut items = Vec::new();
            let mut prev = 0;
            for caps in &matches {
                let whole = caps[0].clone().expect("group 0 always matches");
                items.push(nix_string(&s[prev..whole.start]));
                items.push(captures_list(s, &caps[1..]));
                prev = whole.end;
            }
            items.push(nix_string(&s[prev..]));
            nix_list(&items)
        }
        op => panic!("unknown operation {op}"),
    }
}

#[test]
fn recorded_corpus() {
    let cases = load();
    assert!(cases.len() >= 150, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expected = case.expected.as_deref().expect("every case is recorded");
        if expected == TIMEOUT {
            continue;
        }
        let got = ours(case);
        if got != expected {
            failures.push(format!("{} {} {}\n  cppnix: {expected}\n  neve:   {got}", case.op, case.re_lit, case.s_lit));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

const TIMEOUT: &str = "!timeout";

fn nix_available() -> bool {
    Command::new("nix-instantiate").arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
}

/// Runs the case through CppNix: its printed output, or the error kind.
/// libstdc++ takes exponential time on some patterns; such cases are
/// recorded as `!timeout` and not compared.
fn cppnix(case: &Case) -> String {
    let expr = format!("builtins.{} {} {}", case.op, case.re_lit, case.s_lit);
    let out = Command::new("timeout")
        .args(["-s", "KILL", "10", "nix-instantiate", "--eval", "--strict", "-E", &expr])
        .env("NIX_REMOTE", "dummy://")
        .output()
        .expect("running nix-instantiate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if matches!(out.status.code(), None | Some(124) | Some(137)) {
        return TIMEOUT.to_string();
    }
    if out.status.success() {
        return String::from_utf8_lossy(&out.stdout).trim_end().to_string();
    }
    if let Ok(re) = std::str::from_utf8(&case.re) {
        if stderr.contains(&format!("invalid regular expression '{re}'")) {
            return "!invalid".to_string();
        }
        if stderr.contains(&format!("memory limit exceeded by regular expression '{re}'")) {
            return "!too_large".to_string();
        }
    }
    panic!("nix-instantiate failed on {expr}: {stderr}");
}

fn run_all(cases: &[Case]) -> Vec<String> {
    let threads = 4;
    let chunk = cases.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            cases.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(cppnix).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("a worker")).collect()
    })
}

#[test]
fn live_cppnix() {
    if !nix_available() {
        eprintln!("nix-instantiate is not on PATH; skipping the live comparison");
        return;
    }
    let cases = load();
    if std::env::var_os("NEVE_REGEX_REGEN").is_some() {
        let outputs = run_all(&cases);
        let mut text = String::from(
            "# builtins.match / builtins.split cases and CppNix 2.8's output for each.\n\
             # Re-record with NEVE_REGEX_REGEN=1 (see tests/regex_corpus.rs).\n",
        );
        for (case, out) in cases.iter().zip(outputs) {
            text.push_str(&format!("{} {} {} => {out}\n", case.op, case.re_lit, case.s_lit));
        }
        std::fs::write(corpus_path(), text).expect("writing the corpus");
        return;
    }
    let sample: Vec<Case> = cases.iter().step_by(10).cloned().collect();
    let outputs = run_all(&sample);
    let mut failures = Vec::new();
    for (case, theirs) in sample.iter().zip(outputs) {
        let got = ours(case);
        if got != theirs && theirs != TIMEOUT {
            failures.push(format!("{} {} {}\n  cppnix: {theirs}\n  neve:   {got}", case.op, case.re_lit, case.s_lit));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
