//! The upstream cases about symbolic links (`eval-okay-readDir`, `-readFileType`,
//! `-readDir-symlinked-directory`, `-symlink-resolution`, `-pathexists`, and
//! `eval-fail-readDir-not-a-directory-2`, whose message names the link's
//! target).
//! Upstream keeps real links in `lang/readDir` and
//! `lang/symlink-resolution`; a copy of the suite may have them flattened
//! into files holding the link text. This test rebuilds those directories
//! with real links in a temporary copy and runs the cases there.

use std::path::{Path, PathBuf};
use std::process::Command;

fn suite_lang() -> Option<PathBuf> {
    let dir = match std::env::var_os("NEVE_LANG_TESTS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nix-lang-tests"),
    };
    let lang = dir.join("lang");
    if lang.is_dir() {
        return Some(lang);
    }
    assert!(std::env::var_os("CI").is_none(), "the language suite is missing at {}", dir.display());
    None
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            std::fs::write(&target, std::fs::read(entry.path()).unwrap()).unwrap();
        }
    }
}

/// Replaces `path` (a link or a flattened file) by a link to `target`.
fn link(path: &Path, target: &str) {
    let _ = std::fs::remove_file(path);
    std::os::unix::fs::symlink(target, path).unwrap();
}

#[test]
fn symlink_cases() {
    let Some(lang) = suite_lang() else { return };
    let root = std::env::temp_dir().join(format!("neve-suite-symlinks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let copy = root.join("lang");
    std::fs::create_dir_all(&copy).unwrap();
    for dir in ["readDir", "symlink-resolution"] {
        copy_tree(&lang.join(dir), &copy.join(dir));
    }
    link(&copy.join("readDir/ldir"), "foo");
    link(&copy.join("readDir/linked"), "foo/git-hates-directories");
    link(&copy.join("symlink-resolution/broken"), "nonexistent");
    link(&copy.join("symlink-resolution/foo/overlays"), "../overlays");
    let cases = [
        "eval-okay-readDir",
        "eval-okay-readDir-symlinked-directory",
        "eval-okay-symlink-resolution",
        "eval-okay-readFileType",
        "eval-okay-pathexists",
    ];
    for file in ["lib.nix"]
        .iter()
        .map(|f| f.to_string())
        .chain(cases.iter().flat_map(|c| [format!("{c}.nix"), format!("{c}.exp")]))
    {
        std::fs::copy(lang.join(&file), copy.join(&file)).unwrap();
    }
    let failing = ["eval-fail-readDir-not-a-directory-2"];
    for case in failing {
        for file in [format!("{case}.nix"), format!("{case}.err.exp")] {
            std::fs::copy(lang.join(&file), copy.join(&file)).unwrap();
        }
    }
    let mut failures = Vec::new();
    for case in failing {
        let out = Command::new(env!("CARGO_BIN_EXE_neve"))
            .args(["eval", "--strict", "--show-trace", &format!("lang/{case}.nix")])
            .current_dir(&root)
            .output()
            .expect("neve runs");
        // The suite's texts name the folder of the cases `/pwd`.
        let got = String::from_utf8_lossy(&out.stderr).replace(root.to_str().unwrap(), "/pwd");
        let want = std::fs::read_to_string(copy.join(format!("{case}.err.exp"))).unwrap();
        if out.status.code() != Some(1) || got != want {
            failures.push(format!("{case}: exit {:?}, got {got:?}, want {want:?}", out.status.code()));
        }
    }
    for case in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_neve"))
            .args(["eval", "--strict", &format!("lang/{case}.nix")])
            .current_dir(&root)
            .output()
            .expect("neve runs");
        let want = std::fs::read(copy.join(format!("{case}.exp"))).unwrap();
        if !out.status.success() || out.stdout != want {
            failures.push(format!(
                "{case}: got {:?} (stderr {:?}), want {:?}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&want)
            ));
        }
    }
    std::fs::remove_dir_all(&root).unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
