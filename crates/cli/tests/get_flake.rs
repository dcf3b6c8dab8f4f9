//! `builtins.getFlake` of local flakes, made at test time in a temporary
//! directory: path flakes with a flake input and a `flake = false` input, a
//! lock file with `follows`, a Git flake (`git init`, commit), a `dir=`
//! subflake, a relative `path:./x` input, inputs missing from the lock
//! file, pure evaluation, and errors. neve's results are compared with
//! CppNix 2.8's (`nix-instantiate --eval --store DIR`, a local store in a
//! temporary directory); without `nix-instantiate` that comparison is
//! skipped with a note, unless `CI` is set.
//!
//! neve follows current Nix where 2.8 differs, and the comparisons leave
//! those parts out (each is checked against current Nix's behaviour):
//! current Nix marks a flake with `_type = "flake"`, gives a `dir=` flake
//! the `outPath` of its subdirectory, gives a `flake = false` input its
//! `sourceInfo` and `outPath` (2.8 gives the bare source info), and, when
//! inputs are missing from the lock file, warns "not writing modified lock
//! file" and goes on (2.8 refuses: "requires lock file changes").

mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use support::{clean_env, nix_instantiate_present};

const FEATURES: &str = "nix-command flakes";

struct Run {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_output(out: Output) -> Run {
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn neve(expr: &str, home: &Path, extra: &[&str]) -> Run {
    let mut cmd = clean_env(Command::new(env!("CARGO_BIN_EXE_neve")), home);
    cmd.args(["eval", "--strict", "--extra-experimental-features", FEATURES]).args(extra).args(["-E", expr]);
    run_output(cmd.output().expect("neve runs"))
}

fn nix(expr: &str, home: &Path) -> Run {
    let mut cmd = clean_env(Command::new("nix-instantiate"), home);
    let store = home.join("nix-store");
    cmd.args(["--eval", "--strict", "--extra-experimental-features", FEATURES, "--option", "substituters", ""])
        .arg("--store")
        .arg(&store)
        .args(["-E", expr]);
    run_output(cmd.output().expect("nix-instantiate runs"))
}

/// The error message without framing: the text after the last `error: `,
/// whitespace normalised.
fn error_of(r: &Run) -> String {
    assert!(!r.ok, "expected a failure, got {}", r.stdout);
    assert_eq!(r.code, Some(1), "a failure exits 1: {}", r.stderr);
    let e = r.stderr.rsplit("error: ").next().unwrap_or_default();
    let e = e.replace("(use '--show-trace' to show detailed location information)", "");
    e.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn value_of(r: &Run) -> &str {
    assert!(r.ok, "evaluation failed: {}", r.stderr);
    r.stdout.trim_end()
}

/// neve's value, and CppNix's when it is installed, must be `expected`
/// (when given) and agree.
fn same_as_cppnix(expr: &str, home: &Path) -> String {
    let ours = value_of(&neve(expr, home, &[])).to_owned();
    if nix_instantiate_present() {
        let theirs = nix(expr, home);
        assert_eq!(ours, value_of(&theirs), "neve and CppNix differ on {expr}");
    }
    ours
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"])
        .args(args)
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The NAR hash of a directory, as neve's `fetchTree` computes it.
fn nar_hash(dir: &Path, home: &Path) -> String {
    let expr = format!("(builtins.fetchTree {{ type = \"path\"; path = \"{}\"; }}).narHash", dir.display());
    value_of(&neve(&expr, home, &[])).trim_matches('"').to_owned()
}

/// The newest modification time in a directory (CppNix 2.8 checks a path
/// input's `lastModified` against it; current Nix trusts the lock file).
fn last_modified(dir: &Path, home: &Path) -> String {
    let expr = format!("(builtins.fetchTree {{ type = \"path\"; path = \"{}\"; }}).lastModified", dir.display());
    value_of(&neve(&expr, home, &[])).to_owned()
}

/// A path entry of a lock file.
fn path_node(path: &Path, nar: &str, flake: bool, extra: &str, home: &Path) -> String {
    let t = last_modified(path, home);
    let p = path.display();
    let flake = if flake { "" } else { "\"flake\": false," };
    format!(
        r#"{{ {flake} {extra}
          "locked": {{ "lastModified": {t}, "narHash": "{nar}", "path": "{p}", "type": "path" }},
          "original": {{ "path": "{p}", "type": "path" }} }}"#
    )
}

/// `top` (a path flake) with a flake input `dep`, a `flake = false` input
/// `data`, and `shared`, which `dep` also takes and follows from `top`;
/// all locked in `top/flake.lock`.
fn make_locked_flakes(root: &Path, home: &Path) {
    write(&root.join("data/file.txt"), "hello\n");
    write(&root.join("shared/flake.nix"), "{ outputs = { self }: { s = \"shared\"; }; }\n");
    write(
        &root.join("dep/flake.nix"),
        &format!(
            "{{ inputs.shared.url = \"path:{}/elsewhere\";\n  outputs = {{ self, shared }}: {{ y = 2; s = shared.s; }}; }}\n",
            root.display()
        ),
    );
    write(
        &root.join("top/flake.nix"),
        &format!(
            r#"{{
  description = "top";
  inputs.dep.url = "path:{r}/dep";
  inputs.dep.inputs.shared.follows = "shared";
  inputs.shared.url = "path:{r}/shared";
  inputs.data = {{ url = "path:{r}/data"; flake = false; }};
  outputs = {{ self, dep, shared, data }}: {{
    x = 1;
    viaSelf = self.x + dep.y;
    text = builtins.readFile "${{data}}/file.txt";
    lib = import ./lib.nix;
    s = dep.s;
  }};
}}
"#,
            r = root.display()
        ),
    );
    write(&root.join("top/lib.nix"), "{ v = 42; }\n");
    let dep = nar_hash(&root.join("dep"), home);
    let shared = nar_hash(&root.join("shared"), home);
    let data = nar_hash(&root.join("data"), home);
    let lock = format!(
        r#"{{ "nodes": {{
    "data": {},
    "dep": {},
    "shared": {},
    "root": {{ "inputs": {{ "data": "data", "dep": "dep", "shared": "shared" }} }}
  }}, "root": "root", "version": 7 }}
"#,
        path_node(&root.join("data"), &data, false, "", home),
        path_node(&root.join("dep"), &dep, true, r#""inputs": { "shared": [ "shared" ] },"#, home),
        path_node(&root.join("shared"), &shared, true, "", home),
    );
    // `original` of dep's input names where dep points; the lock file
    // keeps what top made it follow.
    write(&root.join("top/flake.lock"), &lock);
}

#[test]
fn path_flake_with_locked_inputs_and_follows() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, home) = (tmp.path().join("src"), tmp.path().to_owned());
    make_locked_flakes(&root, &home);
    let top = root.join("top");
    let expr = format!(
        r#"let f = builtins.getFlake "path:{}"; in {{
  inherit (f) outPath narHash lastModified lastModifiedDate x viaSelf text lib s;
  outputNames = builtins.attrNames f.outputs;
  inputNames = builtins.attrNames f.inputs;
  dep = {{ inherit (f.inputs.dep) outPath narHash lastModified y; inputs = builtins.attrNames f.inputs.dep.inputs; }};
  follows = f.inputs.dep.inputs.shared.outPath == f.inputs.shared.outPath;
  data = {{ inherit (f.inputs.data) outPath narHash lastModified; }};
  sourceInfo = f.sourceInfo;
  selfIsResult = f.outputs.viaSelf == 3;
  context = builtins.getContext f.outPath;
}}"#,
        top.display()
    );
    let v = same_as_cppnix(&expr, &home);
    assert!(v.contains("text = \"hello\\n\";"), "{v}");
    assert!(v.contains("follows = true;"), "{v}");
    assert!(v.contains("s = \"shared\";"), "{v}");
    assert!(v.contains("lib = { v = 42; };"), "{v}");
    // No warning: the lock file is what getFlake computes.
    let r = neve(&expr, &home, &[]);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);

    // What current Nix adds: `_type`, and a non-flake input's own
    // `sourceInfo` and `outPath`.
    let expr = format!(
        r#"let f = builtins.getFlake "path:{}"; in [ f._type f.inputs.dep._type (f.inputs.data ? sourceInfo) (f.inputs.data ? _type) (f.inputs.data.outPath == f.inputs.data.sourceInfo.outPath) ]"#,
        top.display()
    );
    assert_eq!(value_of(&neve(&expr, &home, &[])), "[ \"flake\" \"flake\" true false true ]");
    // The plain path form is the same flake.
    let expr = format!(r#"(builtins.getFlake "{0}").outPath == (builtins.getFlake "path:{0}").outPath"#, top.display());
    assert_eq!(value_of(&neve(&expr, &home, &[])), "true");
}

#[test]
fn git_flake_and_dir_subflake() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, home) = (tmp.path().join("repo"), tmp.path().to_owned());
    write(
        &repo.join("flake.nix"),
        "{ description = \"a git flake\";\n  outputs = { self }: { myRev = self.rev; src = toString self; n = import ./n.nix; };\n}\n",
    );
    write(&repo.join("n.nix"), "1 + 2\n");
    write(
        &repo.join("sub/flake.nix"),
        "{ outputs = { self }: { here = self.outPath; m = builtins.readFile ./m.txt; }; }\n",
    );
    write(&repo.join("sub/m.txt"), "in sub\n");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    let rev = git(&repo, &["rev-parse", "HEAD"]);
    let url = format!("git+file://{}", repo.display());

    // The whole value, but for `_type` (current Nix; 2.8 has none).
    let expr = format!(r#"removeAttrs (builtins.getFlake "{url}") [ "_type" ]"#);
    let v = same_as_cppnix(&expr, &home);
    assert!(v.contains(&format!("rev = \"{rev}\";")), "{v}");
    assert!(v.contains("revCount = 1;") && v.contains("lastModified = 1700000000;"), "{v}");
    assert!(v.contains("submodules = false;") && v.contains("n = 3;"), "{v}");
    // Pinned to the revision: the same, also under pure evaluation.
    let pinned = format!(r#"(builtins.getFlake "{url}?rev={rev}").rev"#);
    assert_eq!(same_as_cppnix(&pinned, &home).trim(), format!("\"{rev}\""));
    assert_eq!(value_of(&neve(&pinned, &home, &["--option", "pure-eval", "true"])).trim(), format!("\"{rev}\""));

    // `dir=`: the flake in a subdirectory of the source.
    let sub = format!("{url}?dir=sub");
    let expr = format!(
        r#"let f = builtins.getFlake "{sub}"; in {{ inherit (f) rev narHash m; src = f.sourceInfo.outPath; }}"#
    );
    let v = same_as_cppnix(&expr, &home);
    assert!(v.contains("m = \"in sub\\n\";"), "{v}");
    // Current Nix: the flake's outPath is its subdirectory (2.8 gives the
    // source's).
    let expr = format!(
        r#"let f = builtins.getFlake "{sub}"; in [ (f.outPath == f.sourceInfo.outPath + "/sub") (f.here == f.outPath) ]"#
    );
    assert_eq!(value_of(&neve(&expr, &home, &[])), "[ true true ]");

    // A dirty tree: its files, no revision.
    write(&repo.join("n.nix"), "4\n");
    let expr = format!(r#"let f = builtins.getFlake "{url}"; in [ f.n (f ? rev) ]"#);
    let r = neve(&expr, &home, &[]);
    assert_eq!(value_of(&r), "[ 4 false ]");
    assert!(r.stderr.contains("is dirty"), "{}", r.stderr);
}

#[test]
fn tarball_flake() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().to_owned();
    write(&tmp.path().join("t/flake.nix"), "{ outputs = { self }: { a = builtins.readFile ./x; }; }\n");
    write(&tmp.path().join("t/x"), "from a tarball\n");
    let out = Command::new("tar")
        .arg("-czf")
        .arg(tmp.path().join("t.tar.gz"))
        .arg("-C")
        .arg(tmp.path())
        .arg("t")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let expr = format!(
        r#"let f = builtins.getFlake "file://{}/t.tar.gz"; in {{ inherit (f) a narHash outPath; info = builtins.attrNames f.sourceInfo; }}"#,
        tmp.path().display()
    );
    let v = same_as_cppnix(&expr, &home);
    assert!(v.contains("a = \"from a tarball\\n\";"), "{v}");
}

#[test]
fn inputs_missing_from_the_lock_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, home) = (tmp.path().join("src"), tmp.path().to_owned());
    write(&root.join("dep/flake.nix"), "{ outputs = { self }: { y = 2; }; }\n");
    write(&root.join("top/sub/flake.nix"), "{ outputs = { self }: { z = 3; }; }\n");
    write(
        &root.join("top/flake.nix"),
        &format!(
            "{{ inputs.dep.url = \"path:{}/dep\";\n  inputs.sub.url = \"path:./sub\";\n  outputs = {{ self, dep, sub }}: {{ v = dep.y + sub.z; }}; }}\n",
            root.display()
        ),
    );
    let top = format!("path:{}", root.join("top").display());
    // Current Nix locks them in memory, warns, and goes on (CppNix 2.8
    // refuses: "requires lock file changes but they're not allowed").
    let r = neve(&format!(r#"let f = builtins.getFlake "{top}"; in [ f.v (f ? rev) ]"#), &home, &[]);
    assert_eq!(value_of(&r), "[ 5 false ]");
    assert!(r.stderr.contains(&format!("warning: not writing modified lock file of flake '{top}':")), "{}", r.stderr);
    assert!(r.stderr.contains("• Added input 'dep':"), "{}", r.stderr);
    assert!(r.stderr.contains("• Added input 'sub':\n    'path:./sub'"), "{}", r.stderr);
    // The relative input lives in the top flake's source.
    let expr = format!(r#"let f = builtins.getFlake "{top}"; in f.inputs.sub.outPath == f.outPath + "/sub""#);
    assert_eq!(value_of(&neve(&expr, &home, &[])), "true");

    // Pure evaluation refuses unlocked references and inputs.
    let pure = ["--option", "pure-eval", "true"];
    let r = neve(&format!(r#"builtins.getFlake "{top}""#), &home, &pure);
    assert_eq!(
        error_of(&r),
        format!("cannot call 'getFlake' on unlocked flake reference '{top}', at «none»:0 (use --impure to override)")
    );
    let nar = nar_hash(&root.join("top"), &home);
    let r = neve(&format!(r#"builtins.getFlake "{top}?narHash={nar}""#), &home, &pure);
    assert_eq!(error_of(&r), "cannot update unlocked flake input 'dep' in pure mode");
    assert!(r.stderr.contains("while updating the flake input 'dep'"), "{}", r.stderr);
}

#[test]
fn errors() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().to_owned();
    let flake = |name: &str, text: &str| {
        let dir = tmp.path().join(name);
        write(&dir.join("flake.nix"), text);
        format!("path:{}", dir.display())
    };
    // The same message as CppNix's. CppNix 2.8 names the flake by its
    // locked reference, current Nix (and neve) by the resolved one, without
    // `?lastModified=...&narHash=...`.
    let check = |r: &str, expected: &str| {
        let expr = format!(r#"builtins.getFlake "{r}""#);
        let ours = error_of(&neve(&expr, &home, &[]));
        assert!(ours.contains(expected), "{ours}");
        if nix_instantiate_present() {
            // CppNix shows positions in its local store at their real place.
            let chroot = format!("{}/nix-store", home.display());
            let mut theirs = error_of(&nix(&expr, &home)).replace(&chroot, "");
            if let Some(start) = theirs.find("?lastModified=") {
                let end = start + theirs[start..].find('\'').unwrap();
                theirs.replace_range(start..end, "");
            }
            assert_eq!(ours, theirs, "neve and CppNix differ on {expr}");
        }
    };
    let r = flake("no-outputs", "{ description = \"x\"; }\n");
    check(&r, &format!("flake '{r}' lacks attribute 'outputs'"));
    let r = flake("extra", "{ outputs = _: { }; foo = 1; }\n");
    check(&r, &format!("flake '{r}' has an unsupported attribute 'foo', at /nix/store/"));
    let r = flake("bad-description", "{ description = 1; outputs = _: { }; }\n");
    check(&r, "expected a string but got an integer at /nix/store/");
    let r = flake("bad-outputs", "{ outputs = { }; }\n");
    check(&r, "expected a function but got a set at /nix/store/");

    // CppNix 2.8 wants a lock file for these, or does not check them;
    // current Nix gives the errors below.
    let only_neve = |r: &str, expected: &str| {
        let ours = error_of(&neve(&format!(r#"builtins.getFlake "{r}""#), &home, &[]));
        assert!(ours.contains(expected), "{ours}");
    };
    let r = flake("both", "{ inputs.a = { url = \"path:/x\"; follows = \"b\"; }; outputs = _: { }; }\n");
    only_neve(&r, "flake input has both a flake reference and a follows attribute, at /nix/store/");
    let r = flake("bad-follows", "{ inputs.a.follows = \"nowhere\"; outputs = _: { }; }\n");
    only_neve(&r, "input 'a' follows a non-existent input 'nowhere'");
    let r = flake("registry", "{ outputs = { self, nixpkgs }: { }; }\n");
    only_neve(&r, "cannot find flake 'flake:nixpkgs' in the flake registries");
    let r = flake("not-a-set", "let x = { outputs = _: { }; }; in x\n");
    only_neve(&r, "/flake.nix' must be an attribute set");
    let missing = format!("path:{}/nowhere", tmp.path().display());
    only_neve(&missing, "does not exist");
    let ours = error_of(&neve(r#"builtins.getFlake "./relative""#, &home, &[]));
    assert_eq!(ours, "flake reference './relative' is not an absolute path");
    // Without the feature, there is no getFlake.
    let mut cmd = clean_env(Command::new(env!("CARGO_BIN_EXE_neve")), &home);
    cmd.args(["eval", "-E", "builtins ? getFlake"]);
    assert_eq!(run_output(cmd.output().unwrap()).stdout.trim(), "false");
}
