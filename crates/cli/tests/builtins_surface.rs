//! The builtins the `neve` command line offers under its settings flags,
//! against current Nix's list `../shared/nix-builtins.tsv` (from the
//! workspace root; `NEVE_BUILTINS_TSV` overrides it). The library test
//! `neve-eval/tests/builtins_surface.rs` checks every setting and the
//! arities; this one checks that the flags reach those settings:
//! `--extra-experimental-features`, `--option experimental-features`,
//! `--option allow-unsafe-native-code-during-evaluation true` and
//! `--option pure-eval true`. Without the list the test is skipped with a
//! note, unless `CI` is set, in which case it fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Entry {
    name: String,
    global: String,
    condition: String,
}

fn read_tsv() -> Option<Vec<Entry>> {
    let path = match std::env::var_os("NEVE_BUILTINS_TSV") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nix-builtins.tsv"),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "cannot read {}: {e}", path.display());
            eprintln!("note: {} not found ({e}); skipping", path.display());
            return None;
        }
    };
    let entries: Vec<Entry> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Entry {
                name: cols[0].to_string(),
                global: cols[1].to_string(),
                condition: cols.get(4).copied().unwrap_or("").trim().to_string(),
            }
        })
        .collect();
    assert!(entries.len() > 100, "{}: only {} builtins", path.display(), entries.len());
    Some(entries)
}

/// The settings one command line asks for.
#[derive(Default)]
struct Wanted {
    pure: bool,
    unsafe_native: bool,
    features: Vec<&'static str>,
}

fn holds(condition: &str, w: &Wanted) -> bool {
    match condition {
        "" => true,
        "allow-unsafe-native-code-during-evaluation" => w.unsafe_native,
        c if c.starts_with("impure only") => !w.pure,
        "experimental:Flakes" => w.features.contains(&"flakes"),
        // `flakes` implies `fetch-tree` in CppNix's parsing of the setting.
        "experimental:FetchTree" => w.features.contains(&"fetch-tree") || w.features.contains(&"flakes"),
        "experimental:FetchClosure" => w.features.contains(&"fetch-closure"),
        "experimental:DynamicDerivations" => w.features.contains(&"dynamic-derivations"),
        c => panic!("unknown condition `{c}` in the builtins list"),
    }
}

fn neve(flags: &[&str], expr: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_neve"))
        .arg("eval")
        .args(flags)
        .args(["--json", "-E", expr])
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("NIX_PATH", "")
        .output()
        .expect("neve runs")
}

fn check(entries: &[Entry], flags: &[&str], wanted: &Wanted) -> Vec<String> {
    let label = flags.join(" ");
    let mut problems = Vec::new();
    let out = neve(flags, "builtins.attrNames builtins");
    assert!(out.status.success(), "{label}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let actual: BTreeSet<String> = text
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches('"').to_string())
        .collect();
    let expected: BTreeSet<String> =
        entries.iter().filter(|e| holds(&e.condition, wanted)).map(|e| e.name.clone()).collect();
    for m in expected.difference(&actual) {
        problems.push(format!("[{label}] builtins.{m} is missing"));
    }
    for x in actual.difference(&expected) {
        problems.push(format!("[{label}] builtins.{x} should not exist"));
    }
    // Every global that should exist resolves (all in one list: an
    // undefined variable is an error before evaluation).
    let present: Vec<&str> =
        entries.iter().filter(|e| holds(&e.condition, wanted)).map(|e| e.global.as_str()).collect();
    let out = neve(flags, &format!("builtins.length [ {} ]", present.join(" ")));
    if !out.status.success() {
        problems.push(format!("[{label}] some global is missing: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    // Every global that should not exist is an undefined variable.
    for e in entries.iter().filter(|e| !holds(&e.condition, wanted)) {
        let out = neve(flags, &e.global);
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() || !err.contains("undefined variable") {
            problems.push(format!("[{label}] global {} should be undefined", e.global));
        }
    }
    problems
}

#[test]
fn flags_select_the_builtins_of_current_nix() {
    let Some(entries) = read_tsv() else { return };
    let all = vec!["flakes", "fetch-closure", "dynamic-derivations"];
    let cases: Vec<(Vec<&str>, Wanted)> = vec![
        (vec![], Wanted::default()),
        (vec!["--option", "pure-eval", "true"], Wanted { pure: true, ..Wanted::default() }),
        (
            vec!["--option", "allow-unsafe-native-code-during-evaluation", "true"],
            Wanted { unsafe_native: true, ..Wanted::default() },
        ),
        (vec!["--extra-experimental-features", "flakes"], Wanted { features: vec!["flakes"], ..Wanted::default() }),
        (
            vec!["--extra-experimental-features", "fetch-tree"],
            Wanted { features: vec!["fetch-tree"], ..Wanted::default() },
        ),
        (
            vec!["--option", "experimental-features", "flakes fetch-closure dynamic-derivations"],
            Wanted { features: all.clone(), ..Wanted::default() },
        ),
        (
            vec![
                "--extra-experimental-features",
                "fetch-closure dynamic-derivations",
                "--option",
                "pure-eval",
                "true",
                "--option",
                "allow-unsafe-native-code-during-evaluation",
                "true",
            ],
            Wanted { pure: true, unsafe_native: true, features: vec!["fetch-closure", "dynamic-derivations"] },
        ),
    ];
    let mut problems = Vec::new();
    for (flags, wanted) in &cases {
        problems.extend(check(&entries, flags, wanted));
    }
    assert!(problems.is_empty(), "{} differences from current Nix:\n  {}", problems.len(), problems.join("\n  "));
}

#[test]
fn exec_evaluates_what_the_program_prints() {
    let unsafe_flags = ["--option", "allow-unsafe-native-code-during-evaluation", "true"];
    let with_path = |expr: &str| {
        Command::new(env!("CARGO_BIN_EXE_neve"))
            .args(["eval", "--strict"])
            .args(unsafe_flags)
            .args(["-E", expr])
            .output()
            .expect("neve runs")
    };
    let out = with_path(r#"builtins.exec [ "echo" "{ a = 1 + 2; b = [ \"x\" ]; }" ]"#);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{ a = 3; b = [ \"x\" ]; }\n");
    let out = with_path(r#"builtins.exec [ "false" ]"#);
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: program 'false' failed with exit code 1"));
    let out = with_path("builtins.exec [ ]");
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least one argument to 'exec' required"));
}
