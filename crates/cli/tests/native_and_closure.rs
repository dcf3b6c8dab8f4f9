//! `outputOf`, `importNative` and `fetchClosure` through the `neve` binary.
//!
//! - `outputOf`: static output paths against `outPath`, contexts through
//!   `getContext`, downstream placeholders against values computed here
//!   independently (python3's hashlib and a base-32 encoder in this file;
//!   skipped with a note without python3), and the argument errors.
//! - `importNative`: a shared library compiled at test time with `cc
//!   -shared -fPIC` (skipped with a note without `cc`), its value and the
//!   error cases.
//! - `fetchClosure`: a binary cache made by hand in a temporary directory
//!   (a NAR of one file, narinfo files), the argument and store checks,
//!   corrupt NARs, and `neve instantiate` into a directory store; then,
//!   with CppNix 2.8 (as root; skipped with a note without it, unless `CI`
//!   is set), a cache made by `nix copy` of a content-addressed path and of
//!   a built path with a dependency and a self-reference: the values are
//!   compared with `nix-instantiate --eval`, the rewritten path with
//!   `nix store make-content-addressed`, and the fetched closure is written
//!   through a nix-daemon and checked with `nix-store`.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{find_in_path, spawn_daemon, unique};

use neve_store::hash::hash_bytes;
use neve_store::nar::{nar_of_node, NarNode};
use neve_store::{HashAlgo, StoreDir};

fn neve(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_neve"));
    cmd.args(args).current_dir(dir).env_remove("_NIX_IN_TEST");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("neve runs")
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap().trim_end().to_owned()
}

fn stderr(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "expected failure, got: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---------------------------------------------------------------- outputOf

const DYN: &[&str] = &["--extra-experimental-features", "dynamic-derivations"];
const DYN_CA: &[&str] = &["--extra-experimental-features", "dynamic-derivations ca-derivations"];

fn eval(flags: &[&str], expr: &str) -> Output {
    let mut args = vec!["eval", "--strict"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["-E", expr]);
    neve(&args, Path::new("/"), &[])
}

const HELLO: &str = r#"let d = derivation { name = "hello"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; };
  p = builtins.unsafeDiscardOutputDependency d.drvPath; in "#;

/// Python that prints the placeholders of `out` of `out` of the derivation
/// with hash part argv[1] and name argv[2], then of `bin` of that: the
/// algorithm written down from scratch (sha256, Nix's base-32, folding to
/// 20 bytes).
const PLACEHOLDERS_PY: &str = r#"
import hashlib, sys
ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"
def nix32(b):
    n = len(b) * 8
    out = []
    for i in reversed(range((n - 1) // 5 + 1)):
        bit = i * 5
        v = int.from_bytes(b, "little") >> bit
        out.append(ALPHABET[v & 31])
    return "".join(out)
def fold(b, size):
    r = bytearray(size)
    for i, x in enumerate(b):
        r[i % size] ^= x
    return bytes(r)
h = hashlib.sha256(("nix-upstream-output:%s:%s" % (sys.argv[1], sys.argv[2])).encode()).digest()
for output in ["out", "bin"]:
    h = hashlib.sha256(("nix-computed-output:%s:%s" % (nix32(fold(h, 20)), output)).encode()).digest()
    print("/" + nix32(h))
"#;

#[test]
fn output_of_static_paths_and_contexts() {
    let out = eval(
        DYN,
        &format!(
            "{HELLO} {{ out = builtins.outputOf p \"out\" == d.outPath; dev = builtins.outputOf p \"dev\" == d.dev; \
             ctx = builtins.getContext (builtins.outputOf p \"dev\") == {{ ${{builtins.unsafeDiscardStringContext p}} = {{ outputs = [ \"dev\" ]; }}; }}; \
             again = builtins.outputOf d.outPath \"out\" == builtins.outputOf (builtins.outputOf p \"out\") \"out\"; }}"
        ),
    );
    // `again` needs ca-derivations (below); the others do not.
    let err = stderr(&out);
    assert!(err.contains("experimental Nix feature 'ca-derivations' is disabled"), "{err}");
    let out = eval(
        DYN,
        &format!(
            "{HELLO} [ (builtins.outputOf p \"out\" == d.outPath) (builtins.outputOf p \"dev\" == d.dev.outPath) \
             (builtins.getContext (builtins.outputOf p \"dev\") == {{ ${{builtins.unsafeDiscardStringContext p}} = {{ outputs = [ \"dev\" ]; }}; }}) ]"
        ),
    );
    assert_eq!(stdout(&out), "[ true true true ]");
    // Not present without the feature.
    let out = eval(&[], "builtins ? outputOf");
    assert_eq!(stdout(&out), "false");
}

#[test]
fn output_of_placeholders() {
    let Some(python) = find_in_path("python3") else {
        eprintln!("note: python3 is missing; the placeholder values are not checked");
        return;
    };
    let out = eval(
        DYN_CA,
        &format!(
            "{HELLO} let x = builtins.outputOf d.outPath \"out\"; y = builtins.outputOf x \"bin\"; in \
             [ (builtins.baseNameOf p) x y (x == builtins.outputOf (builtins.outputOf p \"out\") \"out\") \
               (builtins.getContext x) (builtins.outputOf (builtins.unsafeDiscardStringContext x + \"\") \"a\") ]"
        ),
    );
    // The last element has no context: an error, checked below.
    let err = stderr(&out);
    assert!(err.contains("has 0 entries in its context. It should only have exactly one entry"), "{err}");
    assert!(err.contains("while evaluating the first argument to builtins.outputOf"), "{err}");
    let out = eval(
        DYN_CA,
        &format!(
            "{HELLO} let x = builtins.outputOf d.outPath \"out\"; y = builtins.outputOf x \"bin\"; in \
             [ (builtins.baseNameOf p) x y (x == builtins.outputOf (builtins.outputOf p \"out\") \"out\") \
               (builtins.attrNames (builtins.getContext x) == [ d.outPath ]) ]"
        ),
    );
    let printed = stdout(&out);
    let items: Vec<&str> = printed.trim_matches(['[', ']', ' ']).split(' ').collect();
    assert_eq!(items.len(), 5, "{printed}");
    let drv_base = items[0].trim_matches('"');
    let (hash_part, drv_name) = drv_base.split_once('-').unwrap();
    assert_eq!(drv_name, "hello.drv");
    let expected =
        Command::new(python).args(["-c", PLACEHOLDERS_PY, hash_part, "hello"]).output().expect("python3 runs");
    let expected = String::from_utf8(expected.stdout).unwrap();
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(items[1].trim_matches('"'), expected[0]);
    assert_eq!(items[2].trim_matches('"'), expected[1]);
    assert_eq!(&items[3..], ["true", "true"]);
}

#[test]
fn output_of_argument_errors() {
    let cases: &[(&str, &str)] = &[
        // A derivation, not a string.
        (
            "builtins.outputOf d \"out\"",
            "while evaluating the first argument to builtins.outputOf\n\n       error: expected a string but found a set",
        ),
        // drvPath's context is the whole closure.
        ("builtins.outputOf d.drvPath \"out\"", "has a context which refers to a complete source and binary closure. This is not supported at this time"),
        ("builtins.outputOf (d.outPath + d.dev) \"out\"", "has 2 entries in its context"),
        ("builtins.outputOf \"${p}/x\" \"out\"", "has context with the different path '/nix/store/"),
        (
            "builtins.outputOf (builtins.unsafeDiscardStringContext d.dev.outPath + builtins.substring 0 0 d.outPath) \"out\"",
            "has context with the output 'out' from derivation '/nix/store/",
        ),
        ("builtins.outputOf p \"lib\"", "does not have output 'lib'"),
        (
            "builtins.outputOf p 1",
            "while evaluating the second argument to builtins.outputOf\n\n       error: expected a string but found an integer: 1",
        ),
        (
            "builtins.outputOf p d.outPath",
            "while evaluating the second argument to builtins.outputOf\n\n       error: the string '/nix/store/",
        ),
    ];
    for (expr, wanted) in cases {
        let err = stderr(&eval(DYN, &format!("{HELLO} {expr}")));
        assert!(err.contains(wanted), "{expr}: {err}");
        assert!(err.contains("while calling the 'outputOf' builtin"), "{expr}: {err}");
    }
}

// ------------------------------------------------------------ importNative

const UNSAFE: &[&str] = &["--option", "allow-unsafe-native-code-during-evaluation", "true"];

#[test]
fn import_native_loads_a_library() {
    let Some(cc) = find_in_path("cc") else {
        eprintln!("note: cc is missing; importNative is not tested");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("data"), "x").unwrap();
    fs::write(
        dir.path().join("lib.c"),
        r#"#include <stddef.h>
const char *value(void) { return "{ answer = 6 * 7; here = ./data; greet = name: \"hi ${name}\"; }"; }
const char *null_value(void) { return NULL; }
const char *bad_syntax(void) { return "{ a = ; }"; }
const char *throws(void) { return "throw \"from native\""; }
"#,
    )
    .unwrap();
    let lib = dir.path().join("libvalue.so");
    let built = Command::new(cc)
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(dir.path().join("lib.c"))
        .output()
        .expect("cc runs");
    assert!(built.status.success(), "cc: {}", String::from_utf8_lossy(&built.stderr));
    // A symbolic link to the library is followed.
    std::os::unix::fs::symlink(&lib, dir.path().join("link.so")).unwrap();
    let lib_s = lib.to_str().unwrap();
    let run = |flags: &[&str], expr: &str| {
        let mut args = vec!["eval", "--strict"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["-E", expr]);
        neve(&args, dir.path(), &[])
    };
    let d = dir.path().to_str().unwrap();
    let out = run(
        UNSAFE,
        &format!("let v = builtins.importNative {d}/link.so \"value\"; in [ v.answer v.here (v.greet \"you\") ]"),
    );
    assert_eq!(stdout(&out), format!("[ 42 {d}/data \"hi you\" ]"));
    // Absent without the option.
    assert_eq!(stdout(&run(&[], "builtins ? importNative")), "false");
    let err = stderr(&run(UNSAFE, &format!("builtins.importNative {d}/libvalue.so \"missing\"")));
    assert!(
        err.contains(&format!("could not load symbol 'missing' from '{lib_s}': {lib_s}: undefined symbol: missing")),
        "{err}"
    );
    let err = stderr(&run(UNSAFE, &format!("builtins.importNative {d}/nope.so \"value\"")));
    assert!(
        err.contains(&format!("could not open '{d}/nope.so': {d}/nope.so: cannot open shared object file")),
        "{err}"
    );
    let err = stderr(&run(UNSAFE, &format!("builtins.importNative {d}/libvalue.so \"null_value\"")));
    assert!(err.contains("returned NULL instead of a Nix expression"), "{err}");
    let err = stderr(&run(UNSAFE, &format!("builtins.importNative {d}/libvalue.so \"bad_syntax\"")));
    assert!(err.contains("while parsing the expression of 'bad_syntax'"), "{err}");
    assert!(err.contains("syntax error, unexpected ';'"), "{err}");
    let err = stderr(&run(UNSAFE, &format!("builtins.importNative {d}/libvalue.so \"throws\"")));
    assert!(err.contains("while evaluating the expression of 'throws'") && err.contains("error: from native"), "{err}");
    let err = stderr(&run(UNSAFE, &format!("builtins.importNative {d}/libvalue.so 1")));
    assert!(
        err.contains("while evaluating the second argument passed to builtins.importNative\n\n       error: expected a string but found an integer: 1"),
        "{err}"
    );
    let mut pure = UNSAFE.to_vec();
    pure.extend_from_slice(&["--option", "pure-eval", "true"]);
    let err = stderr(&run(&pure, &format!("builtins.importNative {d}/libvalue.so \"value\"")));
    assert!(
        err.contains(&format!(
            "access to absolute path '{d}/libvalue.so' is forbidden in pure evaluation mode (use '--impure' to override)"
        )),
        "{err}"
    );
}

// ------------------------------------------------------------ fetchClosure

const FC: &[&str] = &["--extra-experimental-features", "fetch-closure"];
const IN_TEST: &[(&str, &str)] = &[("_NIX_IN_TEST", "1")];

/// A binary cache made by hand: one content-addressed file (`ca`) and one
/// input-addressed path (`ia`) that refers to it. Returns their paths.
struct HandCache {
    dir: PathBuf,
    ca: String,
    ia: String,
}

fn nar_of_file(contents: &[u8]) -> Vec<u8> {
    nar_of_node(&NarNode::Regular { executable: false, contents: contents.to_vec() })
}

fn write_narinfo(cache: &Path, path: &str, nar: &[u8], refs: &[&str], ca: Option<&str>, url: &str) {
    let hash = hash_bytes(HashAlgo::Sha256, nar);
    let base = path.trim_start_matches("/nix/store/");
    let refs: Vec<&str> = refs.iter().map(|r| r.trim_start_matches("/nix/store/")).collect();
    let mut text = format!(
        "StorePath: {path}\nURL: {url}\nCompression: none\nNarHash: {hash}\nNarSize: {}\nReferences: {}\n",
        nar.len(),
        refs.join(" ")
    );
    if let Some(ca) = ca {
        text.push_str(&format!("CA: {ca}\n"));
    }
    fs::write(cache.join(format!("{}.narinfo", &base[..32])), text).unwrap();
}

fn hand_cache(root: &Path) -> HandCache {
    let dir = root.join("cache");
    fs::create_dir_all(dir.join("nar")).unwrap();
    fs::write(dir.join("nix-cache-info"), "StoreDir: /nix/store\n").unwrap();
    let store = StoreDir::default();
    let ca_nar = nar_of_file(b"content addressed\n");
    let ca_hash = hash_bytes(HashAlgo::Sha256, &ca_nar);
    let ca = store.print_path(&store.make_source_path("ca-file", &ca_hash, &BTreeSet::new(), false).unwrap());
    fs::write(dir.join("nar/ca.nar"), &ca_nar).unwrap();
    write_narinfo(&dir, &ca, &ca_nar, &[], Some(&format!("fixed:r:{ca_hash}")), "nar/ca.nar");
    // An input-addressed path: any hash part, refers to the file.
    let ia = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-ia-thing".to_owned();
    let ia_nar = nar_of_file(format!("uses {ca}\n").as_bytes());
    fs::write(dir.join("nar/ia.nar"), &ia_nar).unwrap();
    write_narinfo(&dir, &ia, &ia_nar, &[&ca], None, "nar/ia.nar");
    HandCache { dir, ca, ia }
}

fn fetch(cache: &Path, attrs: &str) -> String {
    format!("builtins.fetchClosure {{ fromStore = \"file://{}\"; {attrs} }}", cache.display())
}

#[test]
fn fetch_closure_from_a_hand_made_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let HandCache { dir: cache, ca, ia } = hand_cache(tmp.path());
    let run = |expr: &str| {
        let mut args = vec!["eval", "--strict"];
        args.extend_from_slice(FC);
        args.extend_from_slice(&["-E", expr]);
        neve(&args, tmp.path(), IN_TEST)
    };
    // Content-addressed, with its context.
    let out =
        run(&format!("let p = {}; in [ p (builtins.getContext p) ]", fetch(&cache, &format!("fromPath = {ca};"))));
    assert_eq!(stdout(&out), format!("[ \"{ca}\" {{ \"{ca}\" = {{ path = true; }}; }} ]"));
    // A string works as well as a path.
    let out = run(&fetch(&cache, &format!("fromPath = \"{ca}\";")));
    assert_eq!(stdout(&out), format!("\"{ca}\""));
    // Input-addressed: only when asked for.
    let out = run(&fetch(&cache, &format!("fromPath = {ia}; inputAddressed = true;")));
    assert_eq!(stdout(&out), format!("\"{ia}\""));
    let err = stderr(&run(&fetch(&cache, &format!("fromPath = {ia};"))));
    assert!(
        err.contains(&format!(
            "The 'fromPath' value '{ia}' is input-addressed, but 'inputAddressed' is set to 'false' (default)."
        )),
        "{err}"
    );
    let err = stderr(&run(&fetch(&cache, &format!("fromPath = {ca}; inputAddressed = true;"))));
    assert!(err.contains(&format!("The store object referred to by 'fromPath' at '{ca}' is not input-addressed, but 'inputAddressed' is set to 'true'.")), "{err}");
    // The argument checks, in current Nix's order and words.
    let cases: Vec<(String, String)> = vec![
        (fetch(&cache, "fromPath = /tmp/x;"), "path '/tmp/x' does not exist".to_owned()),
        (fetch(&cache, "fromPath = \"/tmp/x\";"), "path '/tmp/x' is not in the Nix store".to_owned()),
        (
            fetch(&cache, "fromPath = 1;"),
            "while evaluating the attribute 'fromPath' passed to builtins.fetchClosure".to_owned(),
        ),
        (
            fetch(&cache, &format!("fromPath = {ca}; bogus = 1;")),
            "attribute 'bogus' isn't supported in call to 'fetchClosure'".to_owned(),
        ),
        (fetch(&cache, ""), "attribute 'fromPath' is missing in call to 'fetchClosure'".to_owned()),
        (
            format!("builtins.fetchClosure {{ fromPath = {ca}; }}"),
            "attribute 'fromStore' is missing in call to 'fetchClosure'".to_owned(),
        ),
        (
            fetch(&cache, &format!("fromPath = {ca}; toPath = {ca}; inputAddressed = true;")),
            "attribute 'inputAddressed' is set to true, but 'toPath' is also set. Please remove one of them".to_owned(),
        ),
        (
            fetch(&cache, &format!("fromPath = {ca}; inputAddressed = 1;")),
            "expected a Boolean but found an integer: 1".to_owned(),
        ),
        (
            format!("builtins.fetchClosure {{ fromStore = \"ssh://host\"; fromPath = {ca}; }}"),
            "'fetchClosure' only supports http:// and https:// stores".to_owned(),
        ),
        (
            format!(
                "builtins.fetchClosure {{ fromStore = \"file://{}?compression=xz\"; fromPath = {ca}; }}",
                cache.display()
            ),
            "'fetchClosure' does not support URL query parameters (in 'file://".to_owned(),
        ),
        (
            format!("builtins.fetchClosure {{ fromStore = \"https://cache.example\"; fromPath = {ca}; }}"),
            "neve has no network access".to_owned(),
        ),
        (
            fetch(&cache, "fromPath = /nix/store/00000000000000000000000000000000-absent;"),
            "path '/nix/store/00000000000000000000000000000000-absent' is not valid".to_owned(),
        ),
    ];
    for (expr, wanted) in &cases {
        let err = stderr(&run(expr));
        assert!(err.contains(wanted.as_str()), "{expr}: {err}");
    }
    // file:// only in CppNix's test mode.
    let mut args = vec!["eval"];
    args.extend_from_slice(FC);
    let expr = fetch(&cache, &format!("fromPath = {ca};"));
    args.extend_from_slice(&["-E", &expr]);
    let err = stderr(&neve(&args, tmp.path(), &[]));
    assert!(err.contains("'fetchClosure' only supports http:// and https:// stores"), "{err}");
    // Another store directory.
    fs::write(cache.join("nix-cache-info"), "StoreDir: /gnu/store\n").unwrap();
    let err = stderr(&run(&fetch(&cache, &format!("fromPath = {ca};"))));
    assert!(err.contains("is for Nix stores with prefix '/gnu/store', not '/nix/store'"), "{err}");
    fs::write(cache.join("nix-cache-info"), "StoreDir: /nix/store\n").unwrap();
    // A NAR that does not match its narinfo.
    let good = fs::read(cache.join("nar/ca.nar")).unwrap();
    let mut bad = good.clone();
    let at = bad.len() - 20;
    bad[at] ^= 1;
    fs::write(cache.join("nar/ca.nar"), &bad).unwrap();
    let err = stderr(&run(&fetch(&cache, &format!("fromPath = {ca};"))));
    assert!(err.contains(&format!("hash mismatch importing path '{ca}';")), "{err}");
    assert!(err.contains("specified: sha256-") && err.contains("got:       sha256-"), "{err}");
    fs::write(cache.join("nar/ca.nar"), &good).unwrap();
    fs::remove_file(cache.join("nar/ia.nar")).unwrap();
    let err = stderr(&run(&fetch(&cache, &format!("fromPath = {ia}; inputAddressed = true;"))));
    assert!(err.contains("file 'nar/ia.nar' does not exist in binary cache"), "{err}");
}

#[test]
fn fetch_closure_instantiates_into_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let HandCache { dir: cache, ca, ia } = hand_cache(tmp.path());
    // The rewritten form of the input-addressed path.
    let mut args = vec!["eval"];
    args.extend_from_slice(FC);
    let expr = fetch(&cache, &format!("fromPath = {ia}; toPath = \"\";"));
    args.extend_from_slice(&["-E", &expr]);
    let err = stderr(&neve(&args, tmp.path(), IN_TEST));
    let rewritten = err
        .split("content-addressed form yielded '")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap_or_else(|| panic!("{err}"))
        .to_owned();
    assert!(rewritten.ends_with("-ia-thing") && rewritten != ia, "{err}");
    assert!(err.contains("Use this value for the 'toPath' attribute passed to 'fetchClosure'"), "{err}");
    // A wrong toPath.
    let expr = fetch(&cache, &format!("fromPath = {ia}; toPath = {ca};"));
    let mut args = vec!["eval"];
    args.extend_from_slice(FC);
    args.extend_from_slice(&["-E", &expr]);
    let err = stderr(&neve(&args, tmp.path(), IN_TEST));
    assert!(err.contains(&format!("yielded '{rewritten}', while '{ca}' was expected")), "{err}");
    let program = format!(
        "derivation {{ name = \"use\"; system = \"x86_64-linux\"; builder = \"/bin/sh\"; a = {}; b = {}; }}",
        fetch(&cache, &format!("fromPath = {ia}; toPath = {rewritten};")),
        fetch(&cache, &format!("fromPath = {ia}; inputAddressed = true;")),
    );
    let root = tmp.path().join("root");
    let mut args = vec!["instantiate", "--store-dir", root.to_str().unwrap()];
    args.extend_from_slice(FC);
    args.extend_from_slice(&["-E", &program]);
    let drv = stdout(&neve(&args, tmp.path(), IN_TEST));
    let text = fs::read_to_string(root.join(drv.trim_start_matches('/'))).unwrap();
    assert!(text.contains(&rewritten) && text.contains(&ia), "{text}");
    // The closures: the rewritten path, the original and the file both
    // refer to (content-addressed already, so rewriting keeps it).
    let real = |p: &str| root.join(p.trim_start_matches('/'));
    assert_eq!(fs::read_to_string(real(&ca)).unwrap(), "content addressed\n");
    assert_eq!(fs::read_to_string(real(&ia)).unwrap(), format!("uses {ca}\n"));
    assert_eq!(fs::read_to_string(real(&rewritten)).unwrap(), format!("uses {ca}\n"));
}

// ----------------------------------------------- fetchClosure with CppNix

fn nix_present() -> bool {
    let present =
        ["nix-instantiate", "nix-store", "nix-build", "nix", "nix-daemon"].iter().all(|p| find_in_path(p).is_some());
    if !present {
        assert!(std::env::var_os("CI").is_none(), "CppNix is missing; CI must install it (apt-get install nix-bin)");
        eprintln!("note: CppNix is missing; the fetchClosure comparison with CppNix is skipped");
    }
    present
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

#[test]
fn fetch_closure_matches_cppnix() {
    if !nix_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let tag = unique();
    // A content-addressed path, and a built one with a dependency and a
    // self-reference, copied into an xz-compressed binary cache.
    fs::write(dir.join("data.txt"), format!("fetchClosure {tag}\n")).unwrap();
    let ca = run(Command::new("nix-store").arg("--add").arg(dir.join("data.txt")));
    fs::write(
        dir.join("build.nix"),
        format!(
            r#"let dep = derivation {{ name = "fc-dep"; system = builtins.currentSystem; builder = "/bin/sh";
  args = [ "-c" "echo dep-{tag} > $out" ]; }};
in derivation {{ name = "fc-main"; system = builtins.currentSystem; builder = "/bin/sh";
  args = [ "-c" "read x < ${{dep}}; echo $out > $out; echo $x ${{dep}} >> $out" ]; }}
"#
        ),
    )
    .unwrap();
    let ia = run(Command::new("nix-build").arg(dir.join("build.nix")).arg("--no-out-link"));
    let cache = dir.join("cache");
    let url = format!("file://{}", cache.display());
    run(Command::new("nix")
        .args(["copy", "--extra-experimental-features", "nix-command", "--to", &url])
        .args([&ca, &ia]));
    let rewritten = run(Command::new("nix")
        .args(["store", "make-content-addressed", "--json", "--extra-experimental-features", "nix-command"])
        .args(["--from", &url, &ia]));
    // {"rewrites":{"<ia>":"<rewritten>"}}
    let rewritten = rewritten.rsplit(':').next().unwrap().trim_matches(['"', '}']).to_owned();
    assert!(rewritten.starts_with("/nix/store/") && rewritten.ends_with("-fc-main"), "{rewritten}");
    let expr = |attrs: &str| format!("builtins.fetchClosure {{ fromStore = \"{url}\"; {attrs} }}");
    let nix_eval = |e: &str| {
        Command::new("nix-instantiate")
            .args(["--eval", "--extra-experimental-features", "nix-command fetch-closure", "-E", e])
            .env("_NIX_IN_TEST", "1")
            .output()
            .unwrap()
    };
    let neve_eval = |e: &str| {
        let mut args = vec!["eval"];
        args.extend_from_slice(FC);
        args.extend_from_slice(&["-E", e]);
        neve(&args, dir, IN_TEST)
    };
    // The content-addressed path: the same value.
    let e = expr(&format!("fromPath = {ca};"));
    assert_eq!(stdout(&neve_eval(&e)), stdout(&nix_eval(&e)));
    assert_eq!(stdout(&neve_eval(&e)), format!("\"{ca}\""));
    // Rewriting: CppNix 2.8 names the same path (in its own words).
    let e = expr(&format!("fromPath = {ia}; toPath = \"\";"));
    let ours = stderr(&neve_eval(&e));
    assert!(ours.contains(&format!("yielded '{rewritten}'")), "{ours}");
    let theirs = String::from_utf8_lossy(&nix_eval(&e).stderr).into_owned();
    assert!(theirs.contains(&format!("yielded '{rewritten}'")), "{theirs}");
    assert!(ours.contains(&format!("rewriting '{ia}' to '{rewritten}'")), "{ours}");
    let e = expr(&format!("fromPath = {ia}; toPath = {rewritten};"));
    assert_eq!(stdout(&neve_eval(&e)), format!("\"{rewritten}\""));
    assert_eq!(stdout(&neve_eval(&e)), stdout(&nix_eval(&e)));

    // Written through a daemon: the paths are removed from the store first
    // (nothing roots them), so the NARs really travel.
    let deps: Vec<String> = run(Command::new("nix-store").args(["-q", "--references", &ia]))
        .lines()
        .map(str::to_owned)
        .filter(|p| *p != ia)
        .collect();
    let mut gone = vec![rewritten.clone(), ia.clone()];
    gone.extend(deps.iter().cloned());
    for p in &gone {
        let _ = Command::new("nix-store").args(["--delete", p]).output();
    }
    let _ = Command::new("nix-store").args(["--delete"]).args(&gone).output();
    for p in &gone {
        assert!(!Path::new(p).exists(), "{p} could not be deleted from the store");
    }
    let daemon = spawn_daemon(Path::new("nix-daemon"));
    let socket = daemon.socket.to_str().unwrap();
    let program = format!(
        "derivation {{ name = \"use-fc\"; system = \"x86_64-linux\"; builder = \"/bin/sh\"; a = {}; }}",
        expr(&format!("fromPath = {ia}; toPath = {rewritten};"))
    );
    let mut args = vec!["instantiate", "--daemon", socket];
    args.extend_from_slice(FC);
    args.extend_from_slice(&["-E", &program]);
    let drv = stdout(&neve(&args, dir, IN_TEST));
    let cppnix_drv = run(Command::new("nix-instantiate")
        .args(["--extra-experimental-features", "nix-command fetch-closure", "-E", &program])
        .env("_NIX_IN_TEST", "1"));
    assert_eq!(drv, cppnix_drv);
    let remote = format!("unix://{socket}");
    let refs = run(Command::new("nix-store").args(["-q", "--references", &rewritten]).env("NIX_REMOTE", &remote));
    let refs: BTreeSet<&str> = refs.lines().collect();
    assert!(refs.contains(rewritten.as_str()) && refs.len() == 2, "{refs:?}");
    run(Command::new("nix-store").args(["--verify-path", &rewritten]).env("NIX_REMOTE", &remote));
    let text = fs::read_to_string(&rewritten).unwrap();
    assert!(text.starts_with(&format!("{rewritten}\ndep-{tag} /nix/store/")), "{text}");
}
