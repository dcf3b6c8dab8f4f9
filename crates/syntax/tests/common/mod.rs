//! Helpers shared by the syntax crate's integration tests: finding the
//! upstream language suite and checking the invariants every parse keeps.
#![allow(dead_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use neve_syntax::Parse;

/// The folder holding `lang/`: `NEVE_LANG_TESTS`, or `../shared/nix-lang-tests`
/// from the workspace root. `None` when it is missing, after failing if `CI`
/// is set.
pub fn suite_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("NEVE_LANG_TESTS") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.file_name().is_some_and(|n| n == "lang") && !d.join("lang").is_dir() {
                d.parent().map(Path::to_path_buf).unwrap_or(d)
            } else {
                d
            }
        }
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nix-lang-tests"),
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

/// Every `.nix` file under `dir`, recursively, sorted. Symbolic links to
/// files are read; links to folders are not followed (no cycles).
pub fn nix_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display())) {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "nix") && path.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The suite's `.nix` files with their bytes, or `None` without a suite.
pub fn suite_files() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = suite_dir()?;
    let lang = dir.join("lang");
    let files: Vec<(String, Vec<u8>)> = nix_files(&lang)
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(&lang).unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            (name, bytes)
        })
        .collect();
    assert!(!files.is_empty(), "no .nix files under {}", lang.display());
    Some(files)
}

/// Parses `input` and checks what must hold for any input: no panic, the
/// tree gives back the input byte for byte, and every error range (and the
/// earlier place it refers to) lies within the tree's text, on character
/// boundaries. Returns the parse, or what went wrong.
pub fn check_parse(input: &[u8]) -> Result<Parse, String> {
    let parse = catch_unwind(AssertUnwindSafe(|| neve_syntax::parse_bytes(input))).map_err(|e| {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("parse_bytes panicked: {msg}")
    })?;
    let back = parse.source_bytes();
    if back != input {
        let at = back.iter().zip(input).position(|(a, b)| a != b).unwrap_or(back.len().min(input.len()));
        return Err(format!(
            "not lossless: {} bytes back for {} in, first difference at byte {at}",
            back.len(),
            input.len()
        ));
    }
    let text = parse.syntax().text().to_string();
    if std::str::from_utf8(input).is_ok() && (parse.has_mapped_bytes() || text.as_bytes() != input) {
        return Err("UTF-8 input should be the tree's text unchanged".into());
    }
    for error in parse.errors() {
        for range in std::iter::once(error.range).chain(error.previous) {
            let (start, end) = (usize::from(range.start()), usize::from(range.end()));
            if end > text.len() {
                return Err(format!("error `{}` at {range:?} is past the end ({})", error.message, text.len()));
            }
            if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
                return Err(format!("error `{}` at {range:?} splits a character", error.message));
            }
        }
        if error.message.is_empty() {
            return Err(format!("error at {:?} has no message", error.range));
        }
    }
    Ok(parse)
}
