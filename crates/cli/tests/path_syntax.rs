//! Path syntax CppNix rejects while lexing or parsing: a second piece of
//! path text with no interpolation before it (`/a//b`), and a trailing
//! slash at the very end of the input. Both are located diagnostics and
//! exit 1, from `neve parse` and from `neve eval`.

use std::process::Command;

fn neve(args: &[&str]) -> (String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_neve")).args(args).output().expect("neve runs");
    (String::from_utf8_lossy(&out.stderr).into_owned(), out.status.code())
}

#[test]
fn path_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, message, col) in [
        ("double.nix", "[ /a//b ]\n", "error: syntax error, unexpected end of path, expecting '${'", 8),
        ("trailing.nix", "/a/b/", "error: path has a trailing slash", 6),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let file = file.to_str().unwrap();
        for command in ["parse", "eval"] {
            let (stderr, code) = neve(&[command, file]);
            assert_eq!(code, Some(1), "{command} {name}: {stderr}");
            assert!(stderr.starts_with(message), "{command} {name}: {stderr}");
            assert!(stderr.contains(&format!("at {file}:1:{col}:")), "{command} {name}: {stderr}");
            assert!(stderr.contains("1| "), "{command} {name} quotes the line: {stderr}");
        }
    }
}
