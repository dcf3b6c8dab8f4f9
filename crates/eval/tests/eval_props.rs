//! Fuzzing the evaluator: random programs from a grammar of the language,
//! and random splices of the upstream suite's programs, never panic and
//! never hang; every failure is an error that renders in CppNix's layout.
//!
//! Programs are built from variables, literals, operators, functions,
//! sets, `let`, `with`, `assert`, interpolation and the builtins that take
//! values apart; sizes are kept small so that a program's own work stays
//! quick, and a low `max_call_depth` ends runaway recursion.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use neve_eval::state::Settings;
use neve_eval::Evaluator;
use proptest::prelude::*;

fn settings() -> Settings {
    Settings { max_call_depth: 300, ..Settings::default() }
}

/// Evaluates `source` completely and checks the outcome is a value or a
/// rendered error, without a panic.
fn exercise(source: &str) {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut ev = Evaluator::new(settings());
        let base = Path::new("/nonexistent-neve-fuzz");
        match ev.eval_string(source, base).and_then(|v| ev.print_deep(v)) {
            Ok(printed) => assert!(!printed.is_empty()),
            Err(e) => {
                let text = ev.render_error(&e);
                assert!(text.starts_with("error:"), "an error renders as CppNix's: {text}");
            }
        }
    }));
    if let Err(panic) = outcome {
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("evaluating {source:?} panicked: {msg}");
    }
}

const VARS: &[&str] = &["x", "y", "f", "s", "l"];

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        (-3i64..20).prop_map(|n| n.to_string()),
        prop::sample::select(vec!["0.5", "1.0e3", ".25", "9223372036854775807"]).prop_map(str::to_string),
        prop::sample::select(vec!["\"a\"", "\"\"", "''b''", "\"${\"c\"}\""]).prop_map(str::to_string),
        prop::sample::select(vec!["null", "true", "false", "[ ]", "{ }", "./p", "<nixpkgs>"]).prop_map(str::to_string),
        prop::sample::select(VARS.to_vec()).prop_map(str::to_string),
        prop::sample::select(vec![
            "builtins.length",
            "builtins.head",
            "builtins.attrNames",
            "builtins.toJSON",
            "builtins.typeOf",
            "toString",
            "map",
            "builtins.foldl'",
            "builtins.sort builtins.lessThan",
            "builtins.concatStringsSep \",\"",
            "builtins.elemAt",
            "builtins.mapAttrs",
            "builtins.genList",
            "builtins.functionArgs",
            "builtins.throw \"t\"",
            "builtins.abort \"a\"",
            "builtins.tryEval",
            "builtins.seq",
            "builtins.deepSeq",
            "derivation",
            "builtins.derivationStrict",
        ])
        .prop_map(str::to_string),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        let op = prop::sample::select(vec![
            "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "->", "//", "++",
        ]);
        let var = prop::sample::select(VARS.to_vec());
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (inner.clone(), inner.clone()).prop_map(|(f, a)| format!("({f} {a})")),
            (var.clone(), inner.clone()).prop_map(|(v, b)| format!("({v}: {b})")),
            (inner.clone(), inner.clone()).prop_map(|(d, b)| format!("({{ x, y ? {d}, ... }}: {b})")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
            (var.clone(), inner.clone(), inner.clone()).prop_map(|(v, a, b)| format!("(let {v} = {a}; in {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(rec {{ x = {a}; y = {b}; z = x; }})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{ a = {a}; b.c = {b}; }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[ {a} {b} ]")),
            inner.clone().prop_map(|a| format!("{a}.a")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}.b.c or {b})")),
            inner.clone().prop_map(|a| format!("({a} ? a)")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(with {a}; {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(assert {a}; {b})")),
            inner.clone().prop_map(|a| format!("\"<${{{a}}}>\"")),
            inner.clone().prop_map(|a| format!("(!{a})")),
            inner.clone().prop_map(|a| format!("(-{a})")),
            // Both paths of `derivation`: the native one without `outputs`
            // and the Nix one with them.
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("(derivation {{ name = {a}; system = \"x\"; builder = {b}; }})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| {
                format!("(derivation {{ name = \"d\"; system = \"x\"; builder = {a}; outputs = {b}; }})")
            }),
        ]
    })
}

/// A program binding every variable the grammar uses, around `body`.
fn program(body: &str) -> String {
    format!("let x = 1; y = {{ a = 2; b = {{ c = 3; }}; }}; f = z: z; s = \"s\"; l = [ 1 2 ]; in {body}")
}

fn suite_files() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nix-lang-tests/lang");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<(PathBuf, Vec<u8>)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.starts_with("eval-") && name.ends_with(".nix")
        })
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    files.sort();
    files
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn random_programs_evaluate_or_fail_cleanly(body in expr()) {
        exercise(&program(&body));
    }

    #[test]
    fn random_splices_of_suite_programs_evaluate_or_fail_cleanly(
        a in any::<prop::sample::Index>(),
        b in any::<prop::sample::Index>(),
        cut_a in any::<prop::sample::Index>(),
        cut_b in any::<prop::sample::Index>(),
    ) {
        let files = suite_files();
        if files.is_empty() {
            return Ok(());
        }
        let (_, first) = &files[a.index(files.len())];
        let (_, second) = &files[b.index(files.len())];
        let mut spliced = first[..cut_a.index(first.len() + 1)].to_vec();
        spliced.extend_from_slice(&second[cut_b.index(second.len() + 1)..]);
        // Source that is not UTF-8 is the CLI's to map; the library takes text.
        if let Ok(text) = String::from_utf8(spliced) {
            exercise(&text);
        }
    }
}
