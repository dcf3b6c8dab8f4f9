//! Property tests: whatever the input, parsing does not panic, gives back the
//! input byte for byte, keeps its error ranges inside the text, and finishes
//! quickly. Three kinds of input: random bytes, random sequences of Nix-ish
//! tokens, and random splices of the upstream suite's files.
//!
//! Then deep nesting: 100 000 levels of every nesting construct, and 200 000
//! long chains of operators, parsed on a thread with the default 2 MiB test
//! stack, must not overflow it. Each such input runs in a child process (this
//! test binary again), so an overflow, which aborts the process, is reported
//! as a failure of that input instead of taking every other test down.

mod common;

use std::process::Command;
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use proptest::prelude::*;

/// An input this small must never take longer than this to parse, even in
/// a debug build on a loaded machine: more means a hang or a blow-up.
const DEADLINE: Duration = Duration::from_secs(10);

/// Parses `input` on its own thread and checks it (see `common::check_parse`),
/// failing if it panics, breaks an invariant, or misses the deadline.
fn check_in_time(input: &[u8]) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let owned = input.to_vec();
    let start = Instant::now();
    std::thread::Builder::new()
        .name("parse".into())
        .spawn(move || {
            let result = common::check_parse(&owned).map(drop);
            let _ = tx.send(result);
        })
        .expect("spawning the parse thread");
    match rx.recv_timeout(DEADLINE) {
        Ok(result) => result,
        // The thread is left running; the test fails, the process ends.
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("no result after {:?}", start.elapsed())),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the parse thread died".into()),
    }
}

/// Pieces of Nix (and of broken Nix) that random sequences are made of,
/// including a character of the range that stands in for stray bytes.
const TOKENS: &[&[u8]] = &[
    b"let",
    b"in",
    b"if",
    b"then",
    b"else",
    b"assert",
    b"with",
    b"rec",
    b"inherit",
    b"or",
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b"\"",
    b"''",
    b"${",
    b"$",
    b"'''",
    b"''$",
    b"''\\",
    b"\\",
    b"\\\"",
    b"'",
    b";",
    b":",
    b"@",
    b"?",
    b",",
    b".",
    b"...",
    b"=",
    b"==",
    b"!=",
    b"<",
    b">",
    b"<=",
    b">=",
    b"&&",
    b"||",
    b"->",
    b"//",
    b"++",
    b"+",
    b"-",
    b"*",
    b"/",
    b"!",
    b"|>",
    b"<|",
    b"|",
    b"&",
    b"./a",
    b"../b/c",
    b"/nix/store",
    b"~/d",
    b"~/",
    b"<nixpkgs>",
    b"<a/b>",
    b"./",
    b"a/",
    b"/",
    b"./${",
    b"x/${",
    b"http://x.org/y?z=1",
    b"a:b",
    b"1",
    b"0",
    b"42",
    b"1.5",
    b".5",
    b"1.5e-3",
    b"1e3",
    b"00",
    b"99999999999999999999",
    b"1e999",
    b"1.0e999",
    b"x",
    b"a-b'",
    b"_",
    b"__x",
    b"true",
    b"null",
    b" ",
    b"  ",
    b"\n",
    b"\r",
    b"\r\n",
    b"\t",
    b"# c\n",
    b"#c",
    b"/* c */",
    b"/*",
    b"*/",
    b"/**/",
    "é".as_bytes(),
    "\u{feff}".as_bytes(),
    b"\0",
    b"\xff",
    b"\xc3",
    b"\x80",
    b"\xf4\x8f\xbe\x80",
];

fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|ts| ts.concat())
}

/// Bytes leaning towards the ones Nix's lexer cares about.
fn nixish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let interesting = prop::sample::select(b"{}[]()\"'$\\;:=.,/#*+-<>|&!?@~ \n\rae01".to_vec());
    prop::collection::vec(prop_oneof![any::<u8>(), interesting], 0..400)
}

fn suite() -> &'static [(String, Vec<u8>)] {
    static FILES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| common::suite_files().unwrap_or_default())
}

/// A file with a piece of another file (or itself) put in at some offset,
/// replacing a piece of it: closers lose their openers, strings their ends.
fn splice() -> impl Strategy<Value = Vec<u8>> {
    let n = suite().len().max(1);
    (0..n, 0..n, any::<[prop::sample::Index; 4]>()).prop_map(|(a, b, idx)| {
        let files = suite();
        if files.is_empty() {
            return Vec::new();
        }
        let (a, b) = (&files[a].1, &files[b].1);
        let mut cut = [idx[0].index(a.len() + 1), idx[1].index(a.len() + 1)];
        cut.sort();
        let mut piece = [idx[2].index(b.len() + 1), idx[3].index(b.len() + 1)];
        piece.sort();
        [&a[..cut[0]], &b[piece[0]..piece[1]], &a[cut[1]..]].concat()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(input in prop::collection::vec(any::<u8>(), 0..600)) {
        check_in_time(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn random_nixish_bytes(input in nixish_bytes()) {
        check_in_time(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn random_token_sequences(input in token_soup()) {
        check_in_time(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn random_splices_of_suite_files(input in splice()) {
        check_in_time(&input).map_err(TestCaseError::fail)?;
    }
}

/// The deep inputs: a name, a prefix repeated, a middle, a suffix repeated.
const DEEP: &[(&str, &str, &str, &str, usize)] = &[
    ("parens", "(", "1", ")", 100_000),
    ("parens-open", "(", "", "", 100_000),
    ("lists", "[", "1", "]", 100_000),
    ("lists-open", "[", "", "", 100_000),
    ("sets", "{", "", "}", 100_000),
    ("sets-open", "{", "", "", 100_000),
    ("set-values", "{ a = ", "1", "; }", 100_000),
    ("rec-sets", "rec { a = ", "1", "; }", 100_000),
    ("string-interpolations", "\"${", "1", "}\"", 100_000),
    ("string-interpolations-open", "\"${", "", "", 100_000),
    ("ind-string-interpolations", "''${", "1", "}''", 100_000),
    ("path-interpolations", "./${", "1", "}", 100_000),
    ("dynamic-attrs", "{ ${", "\"a\"", "} = 1; }", 100_000),
    ("lets", "let a = ", "1", "; in a", 100_000),
    ("lets-open", "let a = ", "", "", 100_000),
    ("legacy-lets", "let { body = ", "1", "; }", 100_000),
    ("ifs", "if a then ", "1", " else 2", 100_000),
    ("asserts", "assert a; ", "1", "", 100_000),
    ("withs", "with a; ", "1", "", 100_000),
    ("lambdas", "x: ", "x", "", 200_000),
    ("pattern-defaults", "{ a ? ", "1", " }: a", 100_000),
    ("negations", "- ", "1", "", 200_000),
    // Without spaces `---...1` is one run of path characters: quadratic to
    // lex, as `select-chain` below.
    ("negation-run", "-", "1", "", 20_000),
    ("nots", "!", "true", "", 200_000),
    ("or-defaults", "a.b or ", "1", "", 200_000),
    ("selects-in-lists", "[ a.b or ", "1", " ]", 100_000),
    // Chains: one operator after another, not nested in the source.
    // Lexing a run of path characters is quadratic in its length (the path
    // rule has to look for a `/` to the end of `a.b.b...` at every token;
    // CppNix 2.8 is quadratic here too, and far slower): 200 000 takes a
    // quarter of an hour in a debug build, so a shorter chain.
    ("select-chain", "a", "", ".b", 20_000),
    // Chains longer than the parser's limit (100 000 operators) are an
    // error; the tree must still be dropped without overflowing.
    ("additions", "1 + ", "1", "", 200_000),
    ("additions-within-limit", "1 + ", "1", "", 99_000),
    ("subtractions", "1 - ", "1", "", 200_000),
    ("concats", "a ++ ", "a", "", 200_000),
    ("updates", "a // ", "a", "", 200_000),
    ("implications", "a -> ", "a", "", 200_000),
    ("ands", "a && ", "a", "", 200_000),
    ("has-attrs", "a", "", " ? b", 200_000),
    ("applications", "f", "", " a", 200_000),
    ("pipes-into", "a", "", " |> f", 200_000),
    ("pipes-from", "f <| ", "a", "", 200_000),
    ("comparisons", "a == ", "a", "", 200_000),
];

fn deep_input(name: &str) -> Vec<u8> {
    let &(_, prefix, middle, suffix, n) = DEEP.iter().find(|d| d.0 == name).expect("a known deep case");
    [prefix.repeat(n), middle.to_string(), suffix.repeat(n)].concat().into_bytes()
}

/// Runs in a child process (see [`deep_nesting_does_not_overflow`]): parses
/// the case named by `NEVE_DEEP_CASE` on a thread with a 2 MiB stack, checks
/// the result, and drops the tree there too (dropping is recursive as well).
#[test]
fn deep_case_child() {
    let Ok(name) = std::env::var("NEVE_DEEP_CASE") else { return };
    let input = deep_input(&name);
    let summary = std::thread::Builder::new()
        .name(format!("deep {name}"))
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let parse = common::check_parse(&input).unwrap_or_else(|why| panic!("{why}"));
            let first = parse.errors().first().map(|e| e.message.clone());
            // Walk the tree on this stack too, as every user of it will.
            let (mut nodes, mut depth, mut max_depth) = (0usize, 0usize, 0usize);
            for event in parse.syntax().preorder() {
                match event {
                    rowan::WalkEvent::Enter(_) => {
                        nodes += 1;
                        depth += 1;
                        max_depth = max_depth.max(depth);
                    }
                    rowan::WalkEvent::Leave(_) => depth -= 1,
                }
            }
            println!("DEEP-PARSED {nodes} nodes, {max_depth} deep");
            drop(parse);
            format!("{nodes} nodes, {max_depth} deep, first error: {first:?}")
        })
        .unwrap()
        .join()
        .expect("the parse thread panicked");
    println!("DEEP-RESULT {name}: {summary}");
}

#[test]
fn deep_nesting_does_not_overflow() {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut failures = Vec::new();
    for &(name, ..) in DEEP {
        let start = Instant::now();
        let out = Command::new(&exe)
            .args(["--exact", "deep_case_child", "--nocapture", "--test-threads=1"])
            .env("NEVE_DEEP_CASE", name)
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("running the test binary again");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let result = stdout.lines().find_map(|l| l.find("DEEP-RESULT").map(|i| &l[i..]));
        match (out.status.success(), result) {
            (true, Some(line)) => println!("{line} ({:.1?})", start.elapsed()),
            _ => {
                let why = stderr
                    .lines()
                    .find(|l| l.contains("overflowed its stack") || l.contains("panicked"))
                    .unwrap_or("no result");
                println!("{name}: {} ({why})", out.status);
                failures.push(format!("{name}: {} ({why})", out.status));
            }
        }
    }
    assert!(failures.is_empty(), "{} deep input(s) failed:\n{}", failures.len(), failures.join("\n"));
}
