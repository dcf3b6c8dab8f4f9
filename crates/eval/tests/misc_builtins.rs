//! genericClosure, versions, string context, the search path, scopedImport
//! and symlink resolution, through the library API and an in-memory file
//! system (the `EvalIo` door).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use neve_eval::io::{EvalIo, FileType};
use neve_eval::state::Settings;
use neve_eval::Evaluator;

enum Node {
    File(&'static str),
    Dir,
    Link(&'static str),
}

struct MemIo(BTreeMap<PathBuf, Node>);

impl MemIo {
    fn node(&self, path: &Path) -> io::Result<&Node> {
        self.0.get(path).ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }

    /// Follows links in every component, as the kernel does.
    fn real(&self, path: &Path) -> io::Result<PathBuf> {
        let mut out = PathBuf::from("/");
        for c in path.components().skip(1) {
            out.push(c);
            for _ in 0..40 {
                match self.0.get(&out) {
                    Some(Node::Link(t)) => {
                        out.pop();
                        out = normalize(&out.join(t));
                    }
                    _ => break,
                }
            }
        }
        Ok(out)
    }
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in p.components().skip(1) {
        match c.as_os_str().to_str() {
            Some("..") => {
                out.pop();
            }
            Some(".") => {}
            _ => out.push(c),
        }
    }
    out
}

impl EvalIo for MemIo {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.node(&self.real(path)?)? {
            Node::File(s) => Ok(s.as_bytes().to_vec()),
            _ => Err(io::Error::other("not a file")),
        }
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<(Vec<u8>, FileType)>> {
        let dir = self.real(path)?;
        let mut out = Vec::new();
        for (p, n) in &self.0 {
            if p.parent() == Some(&dir) && p != &dir {
                let kind = match n {
                    Node::File(_) => FileType::Regular,
                    Node::Dir => FileType::Directory,
                    Node::Link(_) => FileType::Symlink,
                };
                out.push((p.file_name().unwrap().as_encoded_bytes().to_vec(), kind));
            }
        }
        Ok(out)
    }

    fn file_type(&self, path: &Path) -> io::Result<FileType> {
        let mut parent = self.real(path.parent().unwrap_or(Path::new("/")))?;
        if let Some(name) = path.file_name() {
            parent.push(name);
        }
        Ok(match self.node(&parent)? {
            Node::File(_) => FileType::Regular,
            Node::Dir => FileType::Directory,
            Node::Link(_) => FileType::Symlink,
        })
    }

    fn path_exists(&self, path: &Path) -> bool {
        self.file_type(path).is_ok()
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        match self.node(path)? {
            Node::Link(t) => Ok(PathBuf::from(t)),
            _ => Err(io::Error::other("not a link")),
        }
    }

    fn get_env(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
}

fn fs() -> MemIo {
    let mut m = BTreeMap::new();
    for (p, n) in [
        ("/", Node::Dir),
        ("/w", Node::Dir),
        ("/w/lib.nix", Node::File("{ double = x: 2 * x; }")),
        ("/w/scoped.nix", Node::File("[ (map 1 2) answer (import ./plain.nix) ]")),
        ("/w/plain.nix", Node::File("builtins.length (map (x: x) [ 1 2 ])")),
        ("/w/real", Node::Dir),
        ("/w/real/sub", Node::Dir),
        ("/w/real/sub/default.nix", Node::File("import ../../lib.nix")),
        ("/w/real/f.nix", Node::File("(import ./sub).double 21")),
        ("/w/link", Node::Link("real")),
        ("/w/f.nix", Node::Link("real/f.nix")),
        ("/w/search", Node::Dir),
        ("/w/search/pkgs", Node::Dir),
        ("/w/search/pkgs/default.nix", Node::File("\"pkgs\"")),
    ] {
        m.insert(PathBuf::from(p), n);
    }
    MemIo(m)
}

fn eval(src: &str) -> Result<String, String> {
    let settings = Settings {
        nix_path: vec![("p".into(), "/w/search".into()), (String::new(), "/w/search".into())],
        ..Settings::default()
    };
    let mut e = Evaluator::with_io(settings, Box::new(fs()));
    let v = e.eval_string(src, Path::new("/w")).map_err(|err| err.message.clone())?;
    e.print_deep(v).map_err(|err| err.message.clone())
}

#[test]
fn generic_closure() {
    let src = "builtins.genericClosure { startSet = [ { key = 5; } ]; \
               operator = { key }: if key <= 0 then [ ] else [ { key = key - 2; } { key = key - 3; } ]; }";
    assert_eq!(
        eval(src).unwrap(),
        "[ { key = 5; } { key = 3; } { key = 2; } { key = 1; } { key = 0; } { key = -1; } { key = -2; } ]"
    );
    // Keys are compared as Nix compares: 1 and 1.0 are the same key, lists compare lexicographically.
    let src = "map (e: e.key) (builtins.genericClosure { startSet = [ { key = 1; } { key = 1.0; } { key = [ 1 2 ]; } { key = [ 1 2 ]; } ]; operator = _: [ ]; })";
    assert!(eval(src).unwrap_err().starts_with("cannot compare a list with an integer"));
    let src = "map (e: e.key) (builtins.genericClosure { startSet = [ { key = 1; } { key = 1.0; } { key = 2; } ]; operator = _: [ ]; })";
    assert_eq!(eval(src).unwrap(), "[ 1 2 ]");
}

#[test]
fn versions() {
    assert_eq!(eval(r#"builtins.splitVersion "1.2pre3-rc""#).unwrap(), r#"[ "1" "2" "pre" "3" "rc" ]"#);
    assert_eq!(
        eval(r#"map (builtins.compareVersions "2.3") [ "2.3pre1" "2.3" "2.3.1" "2.3a" ]"#).unwrap(),
        "[ 1 0 -1 -1 ]"
    );
    assert_eq!(eval(r#"builtins.parseDrvName "hello-2.12.1""#).unwrap(), r#"{ name = "hello"; version = "2.12.1"; }"#);
}

#[test]
fn string_context() {
    let drv = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x.drv";
    let src = format!(
        r#"let s = builtins.appendContext "x" {{ "{drv}" = {{ outputs = [ "out" "dev" ]; allOutputs = true; }}; }};
           in [ (builtins.getContext s) (builtins.getContext (builtins.unsafeDiscardOutputDependency s))
                (builtins.getContext (builtins.addDrvOutputDependencies (builtins.unsafeDiscardOutputDependency (builtins.appendContext "" {{ "{drv}" = {{ allOutputs = true; }}; }})))) ]"#
    );
    assert_eq!(
        eval(&src).unwrap(),
        format!(
            r#"[ {{ "{drv}" = {{ allOutputs = true; outputs = [ "dev" "out" ]; }}; }} {{ "{drv}" = {{ outputs = [ "dev" "out" ]; path = true; }}; }} {{ "{drv}" = {{ allOutputs = true; }}; }} ]"#
        )
    );
    assert!(eval(r#"builtins.appendContext "" { "/tmp/x" = { path = true; }; }"#)
        .unwrap_err()
        .contains("is not a store path"));
}

#[test]
fn search_path() {
    assert_eq!(eval("[ <p/pkgs> <pkgs> (import <pkgs>) ]").unwrap(), r#"[ /w/search/pkgs /w/search/pkgs "pkgs" ]"#);
    assert!(eval("<nope>").unwrap_err().contains("was not found in the Nix search path"));
    assert_eq!(eval("builtins.tryEval <nope>").unwrap(), "{ success = false; value = false; }");
    assert_eq!(eval(r#"builtins.findFile [ { prefix = "q"; path = "/w"; } ] "q/lib.nix""#).unwrap(), "/w/lib.nix");
}

#[test]
fn scoped_import_shadows_globals() {
    let src = "scopedImport { map = a: b: a + b; answer = 42; } ./scoped.nix";
    assert_eq!(eval(src).unwrap(), "[ 3 42 2 ]");
    assert!(eval("scopedImport { } ./scoped.nix").unwrap_err().contains("undefined variable 'answer'"));
}

#[test]
fn links_are_followed_as_cppnix() {
    // A link in the last component is followed, so `./sub` is found next to the real file.
    assert_eq!(eval("import ./f.nix").unwrap(), "42");
    // Through a linked directory, relative paths stay under the link.
    assert_eq!(eval("import ./link/f.nix").unwrap(), "42");
    assert_eq!(eval("builtins.readDir ./link").unwrap(), r#"{ "f.nix" = "regular"; sub = "directory"; }"#);
    assert_eq!(
        eval(r#"[ (builtins.pathExists ./link) (builtins.pathExists "/w/link/") (builtins.pathExists "/w/f.nix/") ]"#)
            .unwrap(),
        "[ true true false ]"
    );
}

#[test]
fn warn_aborts_when_asked() {
    let settings = Settings { abort_on_warn: true, ..Settings::default() };
    let mut e = Evaluator::with_io(settings, Box::new(fs()));
    let err = e.eval_string("builtins.warn \"careful\" 1", Path::new("/w")).expect_err("the warning is fatal");
    assert_eq!(err.message, "aborting to reveal stack trace of warning, as abort-on-warn is set");
    assert_eq!(eval("builtins.warn \"careful\" 1"), Ok("1".into()));
}

#[test]
fn warnings_indent_as_cppnix() {
    use neve_eval::report::render_eval_warning;
    assert_eq!(render_eval_warning("a\nb"), "evaluation warning: a\n                    b\n");
    assert_eq!(render_eval_warning("\na\nb"), "evaluation warning:\na\nb\n");
}
