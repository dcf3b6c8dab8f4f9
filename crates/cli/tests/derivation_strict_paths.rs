//! `derivationStrict` prints the usual derivation (one output, `out`, and
//! none of the attributes that change how outputs or the environment are
//! made) straight into its text (`neve_store::derivation::SingleOutputDrv`);
//! any other goes through a `Derivation`. `__ignoreNulls = false` changes
//! nothing in the result but sends a derivation down the general path, so
//! each program here is evaluated both ways and the results must be equal:
//! paths, `.drv` contents (through `neve instantiate`), errors and traces.

use std::process::Command;

fn neve(args: &[&str]) -> (String, String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_neve")).args(args).output().expect("neve runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// `body` with `mk` bound to `derivation` taking the usual path, then the
/// general one. `extra` sits on a line of its own so that everything else
/// is at the same positions in both.
fn both(body: &str) -> [(String, String, Option<i32>); 2] {
    let run = |extra: &str| {
        let expr = format!("let extra = {extra};\n\n\nmk = attrs: derivation (attrs // extra); in {body}");
        neve(&["eval", "--strict", "-E", &expr])
    };
    [run("{ }"), run("{ __ignoreNulls = false; }")]
}

fn agree(body: &str) -> String {
    let [usual, general] = both(body);
    assert_eq!(usual, general, "{body}");
    usual.0
}

#[test]
fn same_paths() {
    let out = agree(
        r#"let
          dep = mk { name = "dep"; system = "x"; builder = "/bin/sh"; };
          d = mk {
            name = "hello-1.0";
            system = "x86_64-linux";
            builder = "/bin/sh";
            # Escapes, in arguments and values, short and long.
            args = [ "-c" "echo \"$x\"\n\t\\" ("long argument with a quote \" past the short size" + "!") ];
            a = "1"; ou = "2"; outs = "3"; z = "4";
            script = "line one\nline \"two\"\r\n\ttabbed \\ and long enough to be looked at word by word";
            # Coercions: lists (nested, with empty lists), numbers, bools, null.
            list = [ 1 [ 2 [ ] 3 ] [ ] "x" true false null ];
            n = 42; f = 1.5; t = true; nothing = null;
            # Inputs: an output, a `.drv` with its closure, a source.
            deps = [ dep "${dep.drvPath}" ];
            src = builtins.toFile "src" "text";
          };
        in [ d.drvPath d.outPath dep.outPath ]"#,
    );
    assert!(out.contains("-hello-1.0.drv"), "{out}");
}

#[test]
fn same_placement_of_out() {
    // `out` sorts among the other names: before all, after all, between.
    for names in ["z = 1;", "a = 1;", "a = 1; ou = 2; outz = 3;", "oz = 1;", ""] {
        agree(&format!(r#"(mk {{ name = "n"; system = "x"; builder = "b"; {names} }}).drvPath"#));
    }
}

#[test]
fn same_errors_and_traces() {
    for attrs in [
        r#"{ name = "n"; system = "x"; builder = "b"; a = throw "no a"; b = throw "no b"; }"#,
        r#"{ name = "n"; system = "x"; builder = "b"; args = [ "ok" (throw "bad arg") ]; }"#,
        r#"{ name = "n"; system = "x"; builder = "b"; f = x: x; }"#,
        r#"{ name = "n"; system = "x"; builder = "b"; s = { }; }"#,
        r#"{ name = "n"; system = "x"; }"#,
        r#"{ name = "n"; builder = "b"; }"#,
        r#"{ name = "n"; system = "x"; builder = ""; }"#,
        r#"{ name = "n.drv"; system = "x"; builder = "b"; }"#,
        r#"{ name = "n!"; system = "x"; builder = "b"; }"#,
        r#"{ name = "n"; system = "x"; builder = "b"; c = builtins.appendContext "x" { "/nix/store/x" = { path = true; }; }; }"#,
    ] {
        let [usual, general] = both(&format!("(mk {attrs}).drvPath"));
        assert_eq!(usual, general, "{attrs}");
        assert_eq!(usual.2, Some(1), "{attrs} fails: {usual:?}");
        assert!(usual.1.contains("while evaluating derivation 'n"), "{attrs}: {}", usual.1);
    }
}

#[test]
fn same_drv_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("drv.nix");
    let program = |extra: &str| {
        format!(
            r#"let dep = derivation ({{ name = "dep"; system = "x"; builder = "/bin/sh"; }} // {extra});
            in derivation ({{ name = "top"; system = "x"; builder = "/bin/sh"; args = [ "-c" "x\ny" ];
                 inputs = [ dep "${{dep.drvPath}}" ]; zz = "last"; }} // {extra})"#
        )
    };
    let mut texts = Vec::new();
    for extra in ["{ }", "{ __ignoreNulls = false; }"] {
        std::fs::write(&file, program(extra)).unwrap();
        let store = dir.path().join(format!("store{}", texts.len()));
        let (out, err, code) = neve(&["instantiate", "--store-dir", store.to_str().unwrap(), file.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{err}");
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(store.join("nix/store"))
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
            .collect();
        files.sort();
        texts.push((out, files));
    }
    assert_eq!(texts[0], texts[1]);
    assert_eq!(texts[0].1.len(), 2, "two .drv files: {:?}", texts[0].1.iter().map(|f| &f.0).collect::<Vec<_>>());
}
