//! The benchmark programs of `../shared/bench` print exactly their `.exp`
//! through `neve eval --strict` (the timing itself lives in benchmarks,
//! never in tests). `fixpoint.nix` instantiates 20000 derivations.
//!
//! Skipped with a note when the folder is missing, unless `CI` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bench_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "the benchmarks are missing at {}", dir.display());
    eprintln!("note: benchmarks not found at {}; skipping", dir.display());
    None
}

#[test]
fn benchmarks_print_their_expected_output() {
    let Some(dir) = bench_dir() else { return };
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "nix") && p.with_extension("exp").exists())
        .collect();
    programs.sort();
    assert!(programs.iter().any(|p| p.ends_with("fixpoint.nix")), "fixpoint.nix is missing");
    for program in programs {
        let out = Command::new(env!("CARGO_BIN_EXE_neve"))
            .args(["eval", "--strict"])
            .arg(&program)
            .output()
            .expect("neve runs");
        let expected = std::fs::read(program.with_extension("exp")).unwrap();
        assert!(out.status.success(), "{}: {}", program.display(), String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&expected),
            "{} printed something else",
            program.display()
        );
    }
}
