//! Losslessness on the whole upstream suite: every `.nix` file (all
//! categories, sub-folders included, valid UTF-8 or not) parses without a
//! panic, gives back its bytes exactly, and has its error ranges inside the
//! text. Then the same for every file cut short at every 7th byte, a cheap
//! way to see many unfinished constructs.

mod common;

use common::{check_parse, suite_files};

#[test]
fn suite_files_round_trip() {
    let Some(files) = suite_files() else { return };
    let mut failures = Vec::new();
    let mut non_utf8 = 0;
    let mut with_errors = 0;
    for (name, bytes) in &files {
        if std::str::from_utf8(bytes).is_err() {
            non_utf8 += 1;
        }
        match check_parse(bytes) {
            Ok(parse) => with_errors += usize::from(!parse.ok()),
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    println!("{} files ({non_utf8} not UTF-8, {with_errors} with syntax errors)", files.len());
    assert!(failures.is_empty(), "{} file(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn truncated_suite_files_round_trip() {
    let Some(files) = suite_files() else { return };
    let mut failures = Vec::new();
    let mut parses = 0;
    for (name, bytes) in &files {
        for cut in (0..bytes.len()).step_by(7) {
            parses += 1;
            if let Err(why) = check_parse(&bytes[..cut]) {
                failures.push(format!("{name} cut at byte {cut}: {why}"));
            }
        }
    }
    println!("{parses} truncated inputs");
    assert!(failures.is_empty(), "{} truncation(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// Inputs around the mapping of non-UTF-8 bytes: stray bytes everywhere a
/// token can be, and valid characters of the private-use plane the mapping
/// borrows (U+10FF80 to U+10FFFF) next to invalid bytes.
#[test]
fn invalid_utf8_round_trips() {
    let cases: &[&[u8]] = &[
        b"\xff",
        b"\"\xff\"",
        b"''\xfe\xff''",
        b"# \xff\n1",
        b"/* \xc3 */ 1",
        b"{ a = \"\xe2\x82\"; }",
        b"x\xffy",
        b"./a\xff/b",
        b"\xc3\xa9\xff",
        b"\xf4\x8f\xbe",
        // Valid private-use characters outside the borrowed range.
        b"\"\xf4\x8f\xbd\xbf\" \xff",
        // A real U+10FF80 next to a stray byte.
        b"\"\xf4\x8f\xbe\x80\" \xff",
        // A real U+10FFFF next to a stray byte.
        b"\"\xf4\x8f\xbf\xbf\xff\"",
    ];
    let mut failures = Vec::new();
    for case in cases {
        if let Err(why) = check_parse(case) {
            failures.push(format!("{}: {why}", case.escape_ascii()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
