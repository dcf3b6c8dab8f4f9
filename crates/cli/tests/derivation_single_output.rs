//! `derivation` without `outputs` takes a native path
//! (`builtins/derivation_wrapper.rs`); with `outputs = [ "out" ]` it runs
//! the Nix of `derivation-internal.nix`. Apart from the `outputs`
//! attribute itself (and so the paths), the two values must not be told
//! apart: the same attributes at the same positions, the same things left
//! unevaluated, the same traces. The Nix path is the reference here.

use std::process::Command;

fn neve(args: &[&str]) -> (String, String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_neve")).args(args).output().expect("neve runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// `body` evaluated with `d` bound to the derivation of `attrs`, once
/// natively and once through the Nix path.
fn both(attrs: &str, body: &str, flags: &[&str]) -> [(String, String, Option<i32>); 2] {
    let run = |extra: &str| {
        // `extra` on a line of its own, out of the snippets of traces,
        // so that the rest is at the same positions in both.
        let expr = format!("let extra = {extra};\n\n\nd = derivation ({attrs} // extra); in {body}");
        let mut args = vec!["eval"];
        args.extend_from_slice(flags);
        args.extend(["-E", &expr]);
        neve(&args)
    };
    [run("{ }"), run(r#"{ outputs = [ "out" ]; }"#)]
}

const PLAIN: &str = r#"{ name = "a"; system = "x"; builder = "/bin/sh"; }"#;

#[test]
fn same_attributes_at_the_same_positions() {
    let body = r#"map (n: [ n (builtins.unsafeGetAttrPos n d) ])
      (builtins.filter (n: n != "outputs") (builtins.attrNames d))"#;
    let [native, nix] = both(PLAIN, body, &["--strict"]);
    assert_eq!(native, nix);
    assert!(native.0.contains("derivation-internal.nix"), "{}", native.0);
}

#[test]
fn same_structure() {
    let body = r#"[
      d.type d.outputName (d.out.drvPath == d.drvPath) (d.out.out.outPath == d.outPath)
      (builtins.length d.all) ((builtins.head d.all).drvPath == d.drvPath)
      (d.drvAttrs.name) (builtins.isString d.outPath) (d ? dev)
    ]"#;
    let [native, nix] = both(PLAIN, body, &["--strict"]);
    assert_eq!(native, nix);
    assert_eq!(native.0, "[ \"derivation\" \"out\" true true 1 true \"a\" true false ]\n");
}

#[test]
fn same_laziness() {
    let failing = r#"{ name = "a"; system = "x"; builder = throw "no builder"; }"#;
    // Nothing that needs the store derivation is evaluated for these.
    for body in ["d.name", "d.type", "d.outputName", "builtins.length d.all", "d.out.name"] {
        let [native, nix] = both(failing, body, &["--strict"]);
        assert_eq!(native, nix, "{body}");
        assert_eq!(native.2, Some(0), "{body}: {}", native.1);
    }
    // Without --strict, what is left unevaluated prints as such.
    for body in ["d.all", "[ d.out d.outPath d.drvPath d.drvAttrs.name ]", "d.out.all"] {
        let [native, nix] = both(failing, body, &[]);
        assert_eq!(native, nix, "{body}");
    }
}

#[test]
fn same_traces() {
    let failing = r#"{ name = "a"; system = "x"; builder = throw "no builder"; }"#;
    for body in ["d.outPath", "d.drvPath", "d.out.outPath", "(builtins.head d.all).drvPath", "\"${d}\""] {
        for flags in [&[][..], &["--show-trace"][..]] {
            let [native, nix] = both(failing, body, flags);
            assert_eq!(native, nix, "{body} {flags:?}");
            assert_eq!(native.2, Some(1));
            assert!(native.1.contains("derivation-internal.nix:"), "{}", native.1);
        }
    }
    // A failure is kept: selecting the other path gives the same error.
    let [native, nix] = both(failing, "builtins.tryEval d.outPath == builtins.tryEval d.drvPath", &[]);
    assert_eq!(native, nix);
}
