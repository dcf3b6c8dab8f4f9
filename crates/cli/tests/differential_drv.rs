//! Differential tests of derivations against CppNix.
//!
//! Every `*.nix` file directly inside `tests/differential-drv/` (at the
//! workspace root) is instantiated twice, in that directory: by
//! `nix-instantiate FILE`, which writes into the real local store
//! (`/nix/store`, so the test must run as root, as CI does), and by
//! `neve instantiate --store-dir TMP FILE`. They agree when both fail, or
//! when both print the same lines (`.drv` paths, with `!output` suffixes)
//! and every object neve wrote under `TMP/nix/store` is byte for byte the
//! object CppNix wrote (`.drv` files, `toFile` texts, sources). Equal `.drv`
//! bytes mean equal output paths, inputs and environment.
//!
//! A first line `# flags: ...` gives flags for both (experimental features).
//! `known-divergences.txt` there lists `FILE REASON` lines for programs known
//! to differ; the test fails on an unlisted divergence and on a listed
//! program that agrees.
//!
//! Without `nix-instantiate` the test is skipped with a note, unless `CI` is
//! set, in which case it fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KNOWN: &str = "known-divergences.txt";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/differential-drv").canonicalize().unwrap()
}

fn have_nix() -> bool {
    let found = Command::new("nix-instantiate").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "nix-instantiate is not installed, and CI is set");
        eprintln!("note: nix-instantiate not installed; skipping the derivation differential tests");
    }
    found
}

fn flags(program: &Path) -> Vec<String> {
    let text = std::fs::read(program).unwrap();
    let first = text.split(|&b| b == b'\n').next().unwrap_or_default();
    match std::str::from_utf8(first).ok().and_then(|l| l.strip_prefix("# flags:")) {
        Some(rest) => rest.split_whitespace().map(String::from).collect(),
        None => Vec::new(),
    }
}

/// Differences between what neve wrote under `ours` and the same names in
/// `theirs`.
fn compare_tree(ours: &Path, theirs: &Path, problems: &mut Vec<String>) {
    let meta = std::fs::symlink_metadata(ours).unwrap();
    if meta.is_dir() {
        for entry in std::fs::read_dir(ours).unwrap() {
            let entry = entry.unwrap();
            compare_tree(&entry.path(), &theirs.join(entry.file_name()), problems);
        }
    } else if meta.file_type().is_symlink() {
        if std::fs::read_link(ours).ok() != std::fs::read_link(theirs).ok() {
            problems.push(format!("{} differs", theirs.display()));
        }
    } else if std::fs::read(ours).ok() != std::fs::read(theirs).ok() {
        problems.push(format!("{} differs", theirs.display()));
    }
}

fn check(dir: &Path, program: &Path) -> Option<String> {
    let name = program.file_name().unwrap().to_string_lossy().into_owned();
    let flags = flags(program);
    let theirs: Output =
        Command::new("nix-instantiate").args(&flags).arg(&name).current_dir(dir).output().expect("nix-instantiate");
    let tmp = tempfile::tempdir().unwrap();
    let ours: Output = Command::new(env!("CARGO_BIN_EXE_neve"))
        .arg("instantiate")
        .arg("--store-dir")
        .arg(tmp.path())
        .args(&flags)
        .arg(&name)
        .current_dir(dir)
        .output()
        .expect("neve runs");
    let describe = |o: &Output| {
        format!(
            "exit {:?}, stdout {:?}, stderr {:?}",
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or_default()
        )
    };
    if !matches!(ours.status.code(), Some(0 | 1)) {
        return Some(format!("neve crashed: {}", describe(&ours)));
    }
    match (theirs.status.success(), ours.status.success()) {
        (false, false) => return None,
        (true, true) => {}
        _ => return Some(format!("CppNix: {}; neve: {}", describe(&theirs), describe(&ours))),
    }
    if theirs.stdout != ours.stdout {
        return Some(format!("CppNix: {}; neve: {}", describe(&theirs), describe(&ours)));
    }
    let store = tmp.path().join("nix/store");
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&store).into_iter().flatten() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        compare_tree(&entry.path(), &Path::new("/nix/store").join(entry.file_name()), &mut problems);
    }
    // Directories must be writable for the temporary directory to go away.
    let _ = Command::new("chmod").args(["-R", "u+w"]).arg(tmp.path()).status();
    (!problems.is_empty()).then(|| problems.join("; "))
}

#[test]
fn derivations_match_cppnix() {
    if !have_nix() {
        return;
    }
    let dir = corpus_dir();
    let filter = std::env::var("NEVE_DIFF_FILTER").unwrap_or_default();
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "nix"))
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(&filter))
        .collect();
    programs.sort();
    assert!(!filter.is_empty() || programs.len() >= 60, "the corpus has only {} programs", programs.len());
    let known: BTreeMap<String, String> = std::fs::read_to_string(dir.join(KNOWN))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (f, why) = l.split_once(' ').unwrap_or((l, ""));
            (f.to_string(), why.to_string())
        })
        .collect();
    let mut failures = Vec::new();
    let mut agreed = 0;
    for program in &programs {
        let name = program.file_name().unwrap().to_string_lossy().into_owned();
        match (check(&dir, program), known.contains_key(&name)) {
            (None, false) => agreed += 1,
            (None, true) => failures.push(format!("{name}: listed in {KNOWN} but now agrees")),
            (Some(_), true) => {}
            (Some(why), false) => failures.push(format!("{name}: {why}")),
        }
    }
    eprintln!("derivation differential: {agreed}/{} programs agree with CppNix", programs.len());
    assert!(failures.is_empty(), "divergences:\n{}", failures.join("\n"));
}
