//! Feeds arbitrary bytes to the parser: it must not panic, must give the
//! input back byte for byte, and must keep its error ranges inside the text.
//! `cargo +nightly fuzz run parse` from the workspace root.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parse = neve_syntax::parse_bytes(data);
    assert_eq!(parse.source_bytes(), data, "the tree does not give the input back");
    let text_len = parse.syntax().text().len();
    for error in parse.errors() {
        assert!(error.range.end() <= text_len, "error range {:?} past the end {text_len:?}", error.range);
        if let Some(prev) = error.previous {
            assert!(prev.end() <= text_len, "earlier range {prev:?} past the end {text_len:?}");
        }
    }
});
