//! The surface of the builtins against current Nix's list.
//!
//! `../shared/nix-builtins.tsv` (from the workspace root; the environment
//! variable `NEVE_BUILTINS_TSV` overrides the path) lists every builtin of
//! current Nix: its name in `builtins`, its global name, its kind (`primop`
//! or `constant`), its arity and the condition under which it exists. For
//! several settings this test checks that `builtins.attrNames builtins`, the
//! global environment, and the arity of every primop are exactly what the
//! list gives. Without the list the test is skipped with a note, unless `CI`
//! is set, in which case it fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use neve_eval::globals::GlobalSettings;
use neve_eval::state::Settings;
use neve_eval::{Evaluator, Value};

struct Entry {
    name: String,
    global: String,
    kind: String,
    arity: Option<u8>,
    condition: String,
}

fn tsv_path() -> PathBuf {
    match std::env::var_os("NEVE_BUILTINS_TSV") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/nix-builtins.tsv"),
    }
}

fn read_tsv() -> Option<Vec<Entry>> {
    let path = tsv_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "cannot read {}: {e}", path.display());
            eprintln!("note: {} not found ({e}); skipping the builtins surface test", path.display());
            return None;
        }
    };
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 4, "{}:{}: too few columns", path.display(), n + 1);
        entries.push(Entry {
            name: cols[0].to_string(),
            global: cols[1].to_string(),
            kind: cols[2].to_string(),
            arity: cols[3].parse().ok(),
            condition: cols.get(4).copied().unwrap_or("").trim().to_string(),
        });
    }
    assert!(entries.len() > 100, "{}: only {} builtins", path.display(), entries.len());
    Some(entries)
}

/// The name of an experimental feature as the command line spells it.
fn feature_name(tag: &str) -> String {
    let mut out = String::new();
    for (i, c) in tag.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the list's condition holds under `settings`.
fn holds(condition: &str, settings: &GlobalSettings) -> bool {
    let enabled = |f: &str| {
        // `flakes` implies `fetch-tree`: CppNix adds it when it parses the
        // experimental-features setting.
        settings.experimental_features.iter().any(|e| e == f || (f == "fetch-tree" && e == "flakes"))
    };
    match condition {
        "" => true,
        "allow-unsafe-native-code-during-evaluation" => settings.allow_unsafe_native_code,
        c if c.starts_with("impure only") => !settings.pure_eval,
        c => match c.strip_prefix("experimental:") {
            Some(tag) => enabled(&feature_name(tag)),
            None => panic!("unknown condition `{c}` in the builtins list"),
        },
    }
}

fn all_features(entries: &[Entry]) -> Vec<String> {
    let mut features: BTreeSet<String> = BTreeSet::new();
    for e in entries {
        if let Some(tag) = e.condition.strip_prefix("experimental:") {
            features.insert(feature_name(tag));
        }
    }
    features.into_iter().collect()
}

fn check(entries: &[Entry], label: &str, globals: GlobalSettings) -> Vec<String> {
    let mut problems = Vec::new();
    let settings = Settings { globals: globals.clone(), ..Settings::default() };
    let mut ev = Evaluator::new(settings);
    let builtins = ev.eval_string("builtins", Path::new("/")).expect("builtins evaluates");
    let builtins = ev.force(builtins).expect("builtins forces");
    let Value::Attrs(set) = &builtins else { panic!("builtins is not a set") };

    let expected: BTreeSet<&str> =
        entries.iter().filter(|e| holds(&e.condition, &globals)).map(|e| e.name.as_str()).collect();
    let state = ev.state();
    let actual_names: Vec<String> =
        set.iter().map(|a| String::from_utf8_lossy(&state.name_bytes(a.name)).into_owned()).collect();
    let actual: BTreeSet<&str> = actual_names.iter().map(String::as_str).collect();
    for missing in expected.difference(&actual) {
        problems.push(format!("{label}: builtins.{missing} is missing"));
    }
    for extra in actual.difference(&expected) {
        problems.push(format!("{label}: builtins.{extra} should not exist"));
    }

    let expected_globals: BTreeSet<&str> =
        entries.iter().filter(|e| holds(&e.condition, &globals)).map(|e| e.global.as_str()).collect();
    let global_names: Vec<String> =
        state.global_names().iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
    let actual_globals: BTreeSet<&str> = global_names.iter().map(String::as_str).collect();
    for missing in expected_globals.difference(&actual_globals) {
        problems.push(format!("{label}: global {missing} is missing"));
    }
    for extra in actual_globals.difference(&expected_globals) {
        problems.push(format!("{label}: global {extra} should not exist"));
    }
    // The static scope (what the lowering resolves) must agree with the
    // environment.
    for e in entries {
        if globals.is_global(e.global.as_bytes()) != holds(&e.condition, &globals) {
            problems.push(format!("{label}: the lowering disagrees on whether {} is global", e.global));
        }
    }

    // Kinds and arities.
    for e in entries.iter().filter(|e| holds(&e.condition, &globals)) {
        let Some(attr) = set.iter().find(|a| state.name_bytes(a.name) == e.name.as_bytes()) else { continue };
        match (&attr.value, e.kind.as_str()) {
            (Value::PrimOp(app), "primop") if Some(app.op.arity) != e.arity || !app.args.is_empty() => {
                problems
                    .push(format!("{label}: builtins.{} takes {} arguments, not {:?}", e.name, app.op.arity, e.arity));
            }
            (Value::PrimOp(_), "primop") => {}
            (Value::PrimOp(_), kind) => {
                problems.push(format!("{label}: builtins.{} is a primop, not a {kind}", e.name))
            }
            (_, "primop") => problems.push(format!("{label}: builtins.{} is not a primop", e.name)),
            _ => {}
        }
    }
    problems
}

#[test]
fn builtins_match_current_nix() {
    let Some(entries) = read_tsv() else { return };
    let features = all_features(&entries);
    let cases: Vec<(String, GlobalSettings)> = vec![
        ("default".into(), GlobalSettings::default()),
        ("pure-eval".into(), GlobalSettings { pure_eval: true, ..GlobalSettings::default() }),
        (
            "allow-unsafe-native-code-during-evaluation".into(),
            GlobalSettings { allow_unsafe_native_code: true, ..GlobalSettings::default() },
        ),
        (
            format!("extra-experimental-features {}", features.join(" ")),
            GlobalSettings { experimental_features: features.clone(), ..GlobalSettings::default() },
        ),
        (
            "extra-experimental-features flakes".into(),
            GlobalSettings { experimental_features: vec!["flakes".into()], ..GlobalSettings::default() },
        ),
        (
            "everything, pure".into(),
            GlobalSettings { pure_eval: true, allow_unsafe_native_code: true, experimental_features: features.clone() },
        ),
    ];
    let mut problems = Vec::new();
    for f in &features {
        let settings = GlobalSettings { experimental_features: vec![f.clone()], ..GlobalSettings::default() };
        problems.extend(check(&entries, &format!("extra-experimental-features {f}"), settings));
    }
    for (label, settings) in cases {
        problems.extend(check(&entries, &label, settings));
    }
    assert!(problems.is_empty(), "{} differences from current Nix:\n  {}", problems.len(), problems.join("\n  "));
}

fn eval(src: &str) -> String {
    let mut ev = Evaluator::new(Settings::default());
    let v = ev.eval_string(src, Path::new("/")).expect("evaluates");
    ev.print_deep(v).expect("prints")
}

#[test]
fn versions() {
    let version = eval("builtins.nixVersion");
    let version = version.trim_matches('"');
    let parts: Vec<u32> = version.split('.').take(2).map(|p| p.parse().expect("numeric version")).collect();
    assert!(parts >= vec![2, 18], "nixVersion {version} is older than 2.18");
    assert_eq!(eval("builtins.compareVersions builtins.nixVersion \"2.18\""), "1");
    assert_eq!(eval("builtins.langVersion"), "6");
}
