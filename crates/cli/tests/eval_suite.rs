//! The upstream language suite's eval cases, run through the `neve` binary
//! as `../shared/nix-lang-tests/README.md` describes.
//!
//! `data/eval-pass.txt` lists what passes: `okay NAME` (output exactly as
//! expected), `fail NAME` (exits 1 with an error, no crash), `fail-exact
//! NAME` (the error text exactly as expected). A listed case that no longer
//! passes fails this test; newly passing cases are reported, and written to
//! the list when `NEVE_UPDATE_LISTS=1`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn suite_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("NEVE_LANG_TESTS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nix-lang-tests"),
    };
    if dir.join("lang").is_dir() {
        return Some(dir.canonicalize().unwrap());
    }
    assert!(std::env::var_os("CI").is_none(), "the language suite is missing at {}", dir.display());
    eprintln!("note: language suite not found at {}; skipping", dir.display());
    None
}

struct Outcome {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// What the Nix project's test configuration sets for every command
/// (`tests/functional/common/init.sh` writes `extra-experimental-features =
/// flakes` into `nix.conf.extra`; `show-trace` is handled per case below):
/// the suite's flake-ref cases (`eval-okay-parse-flake-ref`, ...) need it.
const CONFIG_FLAGS: [&str; 2] = ["--extra-experimental-features", "flakes"];

fn run(dir: &Path, args: &[String]) -> Outcome {
    let (file, flags) = args.split_last().expect("a command and a file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_neve"))
        .args(flags)
        .args(CONFIG_FLAGS)
        .arg(file)
        .current_dir(dir)
        .env_clear()
        .env("TEST_VAR", "foo")
        .env("IMPURE_VAR1", "foo")
        .env("IMPURE_VAR2", "bar")
        .env("HOME", "/fake-home")
        .env("NIX_PATH", "lang/dir3:lang/dir4")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("neve runs");
    // Read the pipes on threads so a chatty case cannot block.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut out_pipe, &mut buf).ok();
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut err_pipe, &mut buf).ok();
        buf
    });
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Outcome { code, stdout: out_thread.join().unwrap(), stderr: err_thread.join().unwrap() }
}

fn read_flags(path: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(|l| l.split_whitespace())
            .map(String::from)
            .collect(),
    )
}

fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if !from.is_empty() && haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// The results of one case: the list entries it earns.
fn check_case(dir: &Path, name: &str) -> Vec<String> {
    let lang = dir.join("lang");
    let pwd = dir.as_os_str().as_encoded_bytes().to_vec();
    let file = format!("lang/{name}.nix");
    let mut earned = Vec::new();
    if name.starts_with("eval-okay-") {
        let xml = lang.join(format!("{name}.exp.xml")).exists();
        let mut args = vec!["eval".to_string()];
        if xml {
            args.extend(["--xml", "--no-location", "--strict"].map(String::from));
        } else {
            args.push("--strict".into());
            args.extend(read_flags(&lang.join(format!("{name}.flags"))).unwrap_or_default());
        }
        args.push(file);
        let out = run(dir, &args);
        let exp = if xml { format!("{name}.exp.xml") } else { format!("{name}.exp") };
        let expected = std::fs::read(lang.join(exp)).unwrap_or_default();
        let expected_err = std::fs::read(lang.join(format!("{name}.err.exp"))).unwrap_or_default();
        let stdout = replace_all(&out.stdout, &pwd, b"/pwd");
        let stderr = replace_all(&out.stderr, &pwd, b"/pwd");
        if out.code == Some(0) && stdout == expected && (xml || stderr == expected_err) {
            earned.push(format!("okay {name}"));
        }
    } else {
        let flags = read_flags(&lang.join(format!("{name}.flags")));
        let mut args = Vec::new();
        match flags {
            Some(flags) if flags.iter().any(|f| f == "--eval") => {
                args.push("eval".into());
                args.extend(flags.into_iter().filter(|f| f != "--eval"));
            }
            Some(flags) => {
                args.push("instantiate".into());
                args.extend(flags);
            }
            None => args.extend(["eval", "--strict", "--show-trace"].map(String::from)),
        }
        if !args.iter().any(|a| a == "--no-show-trace" || a == "--show-trace") {
            args.push("--show-trace".into());
        }
        args.push(file);
        let out = run(dir, &args);
        let crashed = out.code != Some(1) || out.stderr.windows(8).any(|w| w == b"panicked");
        if !crashed && !out.stderr.is_empty() {
            earned.push(format!("fail {name}"));
            let mut text = out.stdout.clone();
            text.extend_from_slice(&out.stderr);
            let mut text = replace_all(&text, &pwd, b"/pwd");
            let post = lang.join(format!("{name}.postprocess"));
            if post.exists() {
                let tmp = std::env::temp_dir().join(format!("neve-suite-{}-{name}", std::process::id()));
                std::fs::write(tmp.with_extension("err"), &text).unwrap();
                Command::new("bash").arg(&post).arg(&tmp).current_dir(dir).status().ok();
                text = std::fs::read(tmp.with_extension("err")).unwrap_or_default();
                std::fs::remove_file(tmp.with_extension("err")).ok();
            }
            let expected = std::fs::read(lang.join(format!("{name}.err.exp"))).unwrap_or_default();
            if text == expected {
                earned.push(format!("fail-exact {name}"));
            }
        }
    }
    earned
}

#[test]
fn upstream_eval_suite() {
    let Some(dir) = suite_dir() else { return };
    let mut names: Vec<String> = std::fs::read_dir(dir.join("lang"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| (n.starts_with("eval-okay-") || n.starts_with("eval-fail-")) && n.ends_with(".nix"))
        .map(|n| n.trim_end_matches(".nix").to_string())
        .filter(|n| {
            !n.starts_with("eval-okay-")
                || dir.join("lang").join(format!("{n}.exp")).exists()
                || dir.join("lang").join(format!("{n}.exp.xml")).exists()
        })
        .collect();
    names.sort();
    let queue = Arc::new(Mutex::new(names.clone()));
    let results = Arc::new(Mutex::new(BTreeSet::new()));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (queue, results, dir) = (queue.clone(), results.clone(), dir.clone());
            std::thread::spawn(move || loop {
                let Some(name) = queue.lock().unwrap().pop() else { break };
                let earned = check_case(&dir, &name);
                results.lock().unwrap().extend(earned);
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let passed = results.lock().unwrap().clone();

    let okay_total = names.iter().filter(|n| n.starts_with("eval-okay-")).count();
    let fail_total = names.len() - okay_total;
    let count = |prefix: &str| passed.iter().filter(|e| e.starts_with(prefix)).count();
    eprintln!(
        "eval-okay: {}/{okay_total} exact; eval-fail: {}/{fail_total} fail cleanly, {}/{fail_total} exact error text",
        count("okay "),
        count("fail "),
        count("fail-exact ")
    );

    let list_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/eval-pass.txt");
    let listed: BTreeSet<String> = std::fs::read_to_string(&list_path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    let regressed: Vec<_> = listed.difference(&passed).collect();
    let new: Vec<_> = passed.difference(&listed).collect();
    if !new.is_empty() {
        eprintln!("{} newly passing entries (set NEVE_UPDATE_LISTS=1 to record them):", new.len());
        for n in new.iter().take(40) {
            eprintln!("  {n}");
        }
        if std::env::var_os("NEVE_UPDATE_LISTS").is_some() {
            // Additive: a regressed entry stays listed, so it keeps failing.
            let mut text = String::from("# Upstream eval cases that pass; see crates/cli/tests/eval_suite.rs.\n");
            for e in passed.union(&listed) {
                text.push_str(e);
                text.push('\n');
            }
            std::fs::write(&list_path, text).unwrap();
        }
    }
    assert!(regressed.is_empty(), "regressions in the upstream suite: {regressed:?}");
}
