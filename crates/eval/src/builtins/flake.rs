//! `builtins.getFlake` (behind the `flakes` experimental feature), with
//! the semantics of current CppNix's `getFlake`, `lockFlake` and
//! `callFlake`:
//!
//! 1. The flake reference is parsed (`flake_ref.rs`) and its source fetched
//!    (types "path", "git" of local repositories, "tarball" and "file" of
//!    local `file://` URLs; no network, no registries). A fetched tree is a
//!    recorded source of the `EvalStore`; its store path reads through to
//!    the tree (`io::StoreIo`), so `flake.nix` is evaluated from the store
//!    path, as CppNix evaluates it.
//! 2. `flake.nix` is evaluated and checked (`description`, `inputs`,
//!    `outputs`, `nixConfig`, nothing else).
//! 3. The inputs are locked against `flake.lock` (version 5 to 7) as
//!    CppNix's `computeLocks` does: an entry whose original reference is
//!    unchanged is kept (and fetched lazily, later), `follows` and nested
//!    overrides (`inputs.a.inputs.b.follows`) are resolved, anything else is
//!    fetched now, and refused under pure evaluation when unlocked. When the
//!    result differs from the file, CppNix's "not writing modified lock
//!    file" warning is given (the file is never written) and the top-level
//!    source counts as dirty (no `rev`).
//! 4. The result is built by `corepkgs/call-flake.nix` from the new lock
//!    file (as JSON), the trees fetched while locking, and
//!    `fetchFinalTree`, which fetches a lock file entry as locked.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;

use neve_store::Hash;

use super::args::err;
use super::fetch_git::Arg;
use super::flake_ref::{self, Attr, Attrs};
use super::{native, PrimOp};
use crate::error::{EvalError, EvalResult};
use crate::source::{Origin, Pos};
use crate::value::{AttrsBuilder, Gc, PrimOpApp, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[native("getFlake", 1, get_flake)];

/// CppNix's internal `fetchFinalTree`: fetches a lock file entry, trusting
/// the attributes it records.
static FETCH_FINAL_TREE: PrimOp = native("fetchFinalTree", 1, fetch_final_tree);

const CALL_FLAKE_NIX: &str = include_str!("../corepkgs/call-flake.nix");

// ---------------------------------------------------------------------------
// Flake references.

/// A parsed flake reference: the input's attributes and the subdirectory
/// holding `flake.nix`.
#[derive(Debug, Clone, PartialEq)]
struct FlakeRef {
    input: Attrs,
    subdir: String,
}

impl FlakeRef {
    fn from_attrs(mut attrs: Attrs) -> Result<FlakeRef, String> {
        let subdir = match attrs.remove("dir") {
            Some(Attr::Str(s)) => s,
            Some(_) => return Err("attribute 'dir' must be a string".into()),
            None => String::new(),
        };
        if !attrs.contains_key("type") {
            return Err(format!("input {} has no 'type' attribute", flake_ref::attrs_to_json(&attrs)));
        }
        Ok(FlakeRef { input: attrs, subdir })
    }

    fn parse(s: &str, allow_relative: bool) -> Result<FlakeRef, String> {
        FlakeRef::from_attrs(flake_ref::parse_ref(s, allow_relative)?)
    }

    fn indirect(id: &str) -> FlakeRef {
        let mut input = Attrs::new();
        input.insert("type".into(), Attr::Str("indirect".into()));
        input.insert("id".into(), Attr::Str(id.into()));
        FlakeRef { input, subdir: String::new() }
    }

    fn to_attrs(&self) -> Attrs {
        let mut attrs = self.input.clone();
        if !self.subdir.is_empty() {
            attrs.insert("dir".into(), Attr::Str(self.subdir.clone()));
        }
        attrs
    }

    /// The reference as CppNix prints it (a URL).
    fn show(&self) -> String {
        let attrs = self.to_attrs();
        flake_ref::to_string(&attrs).unwrap_or_else(|_| flake_ref::attrs_to_json(&attrs))
    }

    fn str_attr(&self, key: &str) -> Option<&str> {
        str_attr(&self.input, key)
    }

    fn ty(&self) -> &str {
        self.str_attr("type").unwrap_or_default()
    }

    /// CppNix's `Input::isLocked`.
    fn is_locked(&self) -> bool {
        match self.ty() {
            "path" | "tarball" | "file" => self.input.contains_key("narHash"),
            "git" | "github" | "gitlab" | "sourcehut" | "mercurial" => self.input.contains_key("rev"),
            _ => false,
        }
    }

    /// The relative path of a `path:./x` reference (CppNix's `isRelative`).
    fn relative_path(&self) -> Option<&str> {
        match (self.ty(), self.str_attr("path")) {
            ("path", Some(p)) if !p.starts_with('/') => Some(p),
            _ => None,
        }
    }
}

fn str_attr<'a>(attrs: &'a Attrs, key: &str) -> Option<&'a str> {
    match attrs.get(key) {
        Some(Attr::Str(s)) => Some(s),
        _ => None,
    }
}

fn int_attr(attrs: &Attrs, key: &str) -> Option<u64> {
    match attrs.get(key) {
        Some(Attr::Int(i)) => Some(*i),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Fetching.

/// A fetched source tree: its store path (printed) and the input as
/// locked (with `narHash`, `lastModified`, `rev`, ... filled in).
struct Fetched {
    store_path: String,
    locked: Attrs,
}

/// CppNix's `Input::getAccessor` for the input types neve can fetch
/// without a network. Attributes the input already has (from a lock file)
/// are kept; `narHash` is checked.
fn fetch(co: &Co, input: &Attrs) -> EvalResult<Fetched> {
    let state = &co.state;
    let ty = str_attr(input, "type").unwrap_or_default();
    let shown = || flake_ref::to_string(input).unwrap_or_else(|_| flake_ref::attrs_to_json(input));
    let mut locked = input.clone();
    let expected = match str_attr(input, "narHash") {
        Some(h) => Some(Hash::parse_any_prefixed(h).map_err(|e| err(e.to_string()))?),
        None => None,
    };
    let (store_path, hash) = match ty {
        "path" => {
            let path = str_attr(input, "path").ok_or_else(|| err("attribute 'path' is missing"))?;
            if !path.starts_with('/') {
                return Err(err(format!("cannot fetch input 'path:{path}' because it uses a relative path")));
            }
            let root = PathBuf::from(path);
            // A path inside a tree fetched before is read where it lies.
            let root = state.store.borrow().source_origin(&root).flatten().unwrap_or(root);
            if std::fs::symlink_metadata(&root).is_err() {
                return Err(err(format!("path '{path}' does not exist")));
            }
            let mtime = super::fetchers::newest_mtime(&root)
                .map_err(|e| err(format!("getting status of '{path}': {}", crate::io::describe_error(&e))))?;
            let (out, hash) = super::fetchers::record_tree(state, "source", None, root, None)?;
            locked.entry("lastModified".into()).or_insert(Attr::Int(mtime.max(0) as u64));
            (out, hash)
        }
        "git" => {
            let mut args = Vec::new();
            for (k, v) in input {
                if matches!(k.as_str(), "type" | "lastModified" | "revCount" | "narHash") {
                    continue;
                }
                let a = match v {
                    Attr::Str(s) => Arg::Str(s.clone()),
                    Attr::Bool(b) => Arg::Bool(*b),
                    Attr::Int(i) => Arg::Int(*i as i64),
                };
                args.push((k.clone(), a));
            }
            let tree = super::fetch_git::fetch(co, super::fetch_git::parse_input(args)?, false)?;
            let Value::Attrs(set) = &tree else { unreachable!("fetchGit gives a set") };
            let get = |name: &str| set.get(state.intern(name)).cloned();
            if let Some(Value::String(rev)) = get("rev") {
                locked.entry("rev".into()).or_insert(Attr::Str(rev.to_str_lossy().into_owned()));
            }
            for key in ["revCount", "lastModified"] {
                if let Some(Value::Int(n)) = get(key) {
                    locked.entry(key.into()).or_insert(Attr::Int(n.max(0) as u64));
                }
            }
            let Some(Value::String(out)) = get("outPath") else { unreachable!("a tree has an outPath") };
            let Some(Value::String(nar)) = get("narHash") else { unreachable!("a tree has a narHash") };
            let hash = Hash::parse_any_prefixed(&nar.to_str_lossy()).map_err(|e| err(e.to_string()))?;
            (out.as_bytes().to_vec(), hash)
        }
        "tarball" => {
            let url = str_attr(input, "url").ok_or_else(|| err("attribute 'url' is missing"))?;
            super::fetchers::tarball_tree(state, url, "source")?
        }
        "file" => {
            let url = str_attr(input, "url").ok_or_else(|| err("attribute 'url' is missing"))?;
            super::fetchers::file_source(state, url, "source")?
        }
        "indirect" => {
            return Err(err(format!(
                "cannot find flake '{}' in the flake registries (neve has no flake registries)",
                shown()
            )))
        }
        "github" | "gitlab" | "sourcehut" | "mercurial" => {
            return Err(err(format!("cannot fetch input '{}': neve has no network", shown())))
        }
        other => return Err(err(format!("input type '{other}' is unsupported"))),
    };
    if expected.is_some() {
        super::fetchers::check_nar_hash(&shown(), &store_path, &hash, expected)?;
    }
    locked.entry("narHash".into()).or_insert(Attr::Str(hash.to_sri()));
    Ok(Fetched { store_path: String::from_utf8_lossy(&store_path).into_owned(), locked })
}

/// CppNix's `emitTreeAttrs` for a locked input; `force_dirty` leaves out
/// the revision (a top-level flake whose lock file would change).
fn tree_attrs(co: &Co, store_path: &str, input: &Attrs, force_dirty: bool) -> Value {
    let state = &co.state;
    let mut b = AttrsBuilder::with_capacity(8);
    let out = crate::store::store_path_string(store_path.as_bytes().to_vec());
    b.insert(state.intern("outPath"), Value::string(out), None);
    if let Some(h) = str_attr(input, "narHash") {
        let sri = Hash::parse_any_prefixed(h).map(|h| h.to_sri()).unwrap_or_else(|_| h.to_owned());
        b.insert(state.intern("narHash"), Value::string(sri), None);
    }
    if str_attr(input, "type") == Some("git") {
        let submodules = matches!(input.get("submodules"), Some(Attr::Bool(true)));
        b.insert(state.intern("submodules"), Value::Bool(submodules), None);
    }
    if !force_dirty {
        if let Some(rev) = str_attr(input, "rev") {
            b.insert(state.intern("rev"), Value::string(rev.to_owned()), None);
            b.insert(state.intern("shortRev"), Value::string(rev[..rev.len().min(7)].to_owned()), None);
        }
        if let Some(n) = int_attr(input, "revCount") {
            b.insert(state.intern("revCount"), Value::Int(n as i64), None);
        }
    }
    if let Some(t) = int_attr(input, "lastModified") {
        b.insert(state.intern("lastModified"), Value::Int(t as i64), None);
        let date = super::fetch_git::format_utc(t as i64);
        b.insert(state.intern("lastModifiedDate"), Value::string(date), None);
    }
    Value::attrs(b.build())
}

/// The attributes of a fetcher input given as a Nix set.
async fn attrs_of_value(co: &Co, v: &Value, what: &str) -> EvalResult<Attrs> {
    let set = super::args::force_attrs(co, v, what).await?;
    let mut attrs = Attrs::new();
    for attr in set.iter() {
        let name = co.state.name(attr.name);
        let a = match co.force(attr.value.clone()).await? {
            Value::String(s) => Attr::Str(s.to_str_lossy().into_owned()),
            Value::Bool(b) => Attr::Bool(b),
            Value::Int(i) if i >= 0 => Attr::Int(i as u64),
            other => {
                return Err(err(format!(
                    "input attribute '{name}' is {} while a string, Boolean or integer is expected",
                    other.type_description()
                )))
            }
        };
        attrs.insert(name, a);
    }
    Ok(attrs)
}

fn fetch_final_tree(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let input = attrs_of_value(&co, &a[0], "while evaluating the argument passed to fetchFinalTree").await?;
        let fetched = fetch(&co, &input)?;
        Ok(tree_attrs(&co, &fetched.store_path, &fetched.locked, false))
    })
}

// ---------------------------------------------------------------------------
// Reading flake.nix.

/// One input of a flake (CppNix's `FlakeInput`).
#[derive(Debug, Clone)]
struct FlakeInput {
    flake_ref: Option<FlakeRef>,
    is_flake: bool,
    follows: Option<Vec<String>>,
    overrides: BTreeMap<String, FlakeInput>,
}

impl Default for FlakeInput {
    fn default() -> FlakeInput {
        FlakeInput { flake_ref: None, is_flake: true, follows: None, overrides: BTreeMap::new() }
    }
}

type Inputs = BTreeMap<String, FlakeInput>;

/// A flake read from its directory.
struct Flake {
    /// The directory holding `flake.nix` (inside a store path).
    dir: String,
    locked_ref: FlakeRef,
    inputs: Inputs,
}

fn show_pos(co: &Co, pos: Option<Pos>) -> String {
    co.state.show_pos(pos)
}

/// CppNix's `expectType`: `v` forced, of the type `want` names.
async fn expect(co: &Co, v: &Value, want: &str, pos: Option<Pos>) -> EvalResult<Value> {
    let v = co.force(v.clone()).await?;
    let ok = match want {
        "a string" => matches!(v, Value::String(_)),
        "a set" => matches!(v, Value::Attrs(_)),
        "a Boolean" => matches!(v, Value::Bool(_)),
        "a function" => matches!(v, Value::Lambda(_) | Value::PrimOp(_)),
        _ => unreachable!("a type CppNix's expectType names"),
    };
    if !ok {
        return Err(err(format!("expected {want} but got {} at {}", v.type_description(), show_pos(co, pos))));
    }
    Ok(v)
}

/// Whether the file's expression is an attribute set literal (CppNix
/// evaluates `flake.nix` with `mustBeTrivial`).
fn is_attr_set_literal(bytes: &[u8]) -> bool {
    use neve_syntax::SyntaxKind;
    let parse = neve_syntax::parse_bytes(bytes);
    let mut node = parse.syntax().children().next();
    while let Some(n) = node.clone().filter(|n| n.kind() == SyntaxKind::PAREN) {
        node = n.children().next();
    }
    node.is_some_and(|n| n.kind() == SyntaxKind::ATTR_SET)
}

/// `import file`, through the import cache (so `call-flake.nix` finds it
/// evaluated).
async fn import_flake_file(co: &Co, file: &str) -> EvalResult<Value> {
    let key = file.as_bytes().to_vec();
    let cached = co.state.import_cache.borrow().get(&key).cloned();
    let thunk = match cached {
        Some(v) => v,
        None => {
            if let Ok(bytes) = co.state.io.read_file(Path::new(file)) {
                if !is_attr_set_literal(&bytes) {
                    return Err(err(format!("file '{file}' must be an attribute set")));
                }
            }
            let thunk = crate::load::load_file(&co.state, Path::new(file))?;
            co.state.import_cache.borrow_mut().insert(key, thunk.clone());
            thunk
        }
    };
    co.force(thunk).await
}

/// CppNix's `readFlake`: the inputs of the flake in `dir`.
async fn read_flake(co: &Co, dir: &str, resolved: &FlakeRef, lock_root: &[String]) -> EvalResult<Inputs> {
    let state = &co.state;
    let file = format!("{}/flake.nix", dir.trim_end_matches('/'));
    let info = import_flake_file(co, &file).await?;
    let Value::Attrs(set) = &info else {
        return Err(err(format!("file '{file}' must be an attribute set")));
    };
    let description = state.intern("description");
    let inputs_sym = state.intern("inputs");
    let outputs_sym = state.intern("outputs");
    let config_sym = state.intern("nixConfig");
    if let Some(attr) = set.get_attr(description) {
        expect(co, &attr.value, "a string", attr.pos).await?;
    }
    let mut inputs = Inputs::new();
    if let Some(attr) = set.get_attr(inputs_sym) {
        inputs = parse_inputs(co, attr.value.clone(), attr.pos, lock_root.to_vec(), dir.to_owned(), true).await?;
    }
    match set.get_attr(outputs_sym) {
        Some(attr) => {
            let outputs = expect(co, &attr.value, "a function", attr.pos).await?;
            if let Value::Lambda(closure) = &outputs {
                if let Some(formals) = &closure.lambda.formals {
                    for formal in &formals.entries {
                        let name = state.name(formal.name);
                        if name != "self" {
                            inputs.entry(name.clone()).or_insert_with(|| FlakeInput {
                                flake_ref: Some(FlakeRef::indirect(&name)),
                                ..FlakeInput::default()
                            });
                        }
                    }
                }
            }
        }
        None => return Err(err(format!("flake '{}' lacks attribute 'outputs'", resolved.show()))),
    }
    if let Some(attr) = set.get_attr(config_sym) {
        expect(co, &attr.value, "a set", attr.pos).await?;
    }
    for attr in set.iter() {
        if ![description, inputs_sym, outputs_sym, config_sym].contains(&attr.name) {
            return Err(err(format!(
                "flake '{}' has an unsupported attribute '{}', at {}",
                resolved.show(),
                state.name(attr.name),
                show_pos(co, attr.pos)
            )));
        }
    }
    Ok(inputs)
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = EvalResult<T>> + 'a>>;

/// CppNix's `parseFlakeInputs`.
fn parse_inputs(
    co: &Co,
    value: Value,
    pos: Option<Pos>,
    lock_root: Vec<String>,
    dir: String,
    allow_self: bool,
) -> Boxed<'_, Inputs> {
    Box::pin(async move {
        let Value::Attrs(set) = expect(co, &value, "a set", pos).await? else { unreachable!("checked") };
        let mut inputs = Inputs::new();
        for attr in set.iter() {
            let name = co.state.name(attr.name);
            if name == "self" {
                if !allow_self {
                    return Err(err(format!("'self' input attribute not allowed at {}", show_pos(co, attr.pos))));
                }
                let Value::Attrs(own) = expect(co, &attr.value, "a set", attr.pos).await? else { unreachable!() };
                for a in own.iter() {
                    let key = co.state.name(a.name);
                    if !matches!(key.as_str(), "submodules" | "lfs") {
                        return Err(err(format!("flake 'self' attribute '{key}' is not supported")));
                    }
                }
                continue;
            }
            let input = parse_input(co, attr.value.clone(), attr.pos, &lock_root, &dir).await?;
            inputs.insert(name, input);
        }
        Ok(inputs)
    })
}

/// CppNix's `parseFlakeInput`.
async fn parse_input(
    co: &Co,
    value: Value,
    pos: Option<Pos>,
    lock_root: &[String],
    dir: &str,
) -> EvalResult<FlakeInput> {
    let state = &co.state;
    let Value::Attrs(set) = expect(co, &value, "a set", pos).await? else { unreachable!("checked") };
    let mut input = FlakeInput::default();
    let mut attrs = Attrs::new();
    let mut url = None;
    for attr in set.iter() {
        let name = state.name(attr.name);
        let step = async {
            match name.as_str() {
                "url" => {
                    let u = match co.force(attr.value.clone()).await? {
                        Value::String(s) => s.to_str_lossy().into_owned(),
                        Value::Path(p) => {
                            let p = String::from_utf8_lossy(&p).into_owned();
                            let rel = if p == dir {
                                Some(".".to_owned())
                            } else {
                                p.strip_prefix(dir).and_then(|r| r.strip_prefix('/')).map(str::to_owned)
                            };
                            let Some(rel) = rel else {
                                return Err(err(format!(
                                    "input attribute path '{p}' at {} must be in the same source tree as {dir}",
                                    show_pos(co, attr.pos)
                                )));
                            };
                            format!("path:{rel}")
                        }
                        other => {
                            return Err(err(format!(
                                "expected a string or a path but got {} at {}",
                                other.type_description(),
                                show_pos(co, attr.pos)
                            )))
                        }
                    };
                    attrs.insert("url".into(), Attr::Str(u.clone()));
                    url = Some(u);
                }
                "flake" => {
                    input.is_flake = matches!(expect(co, &attr.value, "a Boolean", attr.pos).await?, Value::Bool(true))
                }
                "inputs" => {
                    input.overrides =
                        parse_inputs(co, attr.value.clone(), attr.pos, lock_root.to_vec(), dir.to_owned(), false)
                            .await?
                }
                "follows" => {
                    let Value::String(s) = expect(co, &attr.value, "a string", attr.pos).await? else {
                        unreachable!("checked")
                    };
                    let mut path = lock_root.to_vec();
                    path.extend(parse_input_path(&s.to_str_lossy())?);
                    input.follows = Some(path);
                }
                _ => {
                    let a = match co.force(attr.value.clone()).await? {
                        Value::String(s) => Attr::Str(s.to_str_lossy().into_owned()),
                        Value::Bool(b) => Attr::Bool(b),
                        Value::Int(i) if i < 0 => {
                            return Err(err(format!("negative value given for flake input attribute {name}: {i}")))
                        }
                        Value::Int(i) => Attr::Int(i as u64),
                        other => {
                            return Err(err(format!(
                                "flake input attribute '{name}' is {} while a string, Boolean, or integer is expected",
                                other.type_description()
                            )))
                        }
                    };
                    attrs.insert(name.clone(), a);
                }
            }
            Ok(())
        };
        step.await
            .map_err(|e: EvalError| e.with_frame(format!("while evaluating flake attribute '{name}'"), attr.pos))?;
    }
    if attrs.contains_key("type") {
        let r = FlakeRef::from_attrs(attrs)
            .and_then(|r| flake_ref::to_string(&r.to_attrs()).map(|_| r))
            .map_err(|e| err(e).with_frame("while evaluating flake input", pos))?;
        input.flake_ref = Some(r);
    } else {
        attrs.remove("url");
        if let Some(first) = attrs.keys().next() {
            return Err(err(format!("unexpected flake input attribute '{first}', at {}", show_pos(co, pos))));
        }
        if let Some(url) = url {
            input.flake_ref = Some(parse_input_ref(&url, input.is_flake).map_err(err)?);
        }
    }
    if input.flake_ref.is_some() && input.follows.is_some() {
        return Err(err(format!(
            "flake input has both a flake reference and a follows attribute, at {}",
            show_pos(co, pos)
        )));
    }
    Ok(input)
}

/// The reference of an input's `url`: relative paths are allowed, and a
/// non-flake input may be a plain file (CppNix's `isFlake = false`).
fn parse_input_ref(url: &str, is_flake: bool) -> Result<FlakeRef, String> {
    match FlakeRef::parse(url, true) {
        Ok(r) => Ok(r),
        Err(e) => {
            let plain = ["file://", "http://", "https://"].iter().any(|s| url.starts_with(s));
            if is_flake || !plain {
                return Err(e);
            }
            let mut input = Attrs::new();
            input.insert("type".into(), Attr::Str("file".into()));
            input.insert("url".into(), Attr::Str(url.to_owned()));
            Ok(FlakeRef { input, subdir: String::new() })
        }
    }
}

/// CppNix's `parseInputAttrPath`: `a/b/c`.
fn parse_input_path(s: &str) -> EvalResult<Vec<String>> {
    s.split('/')
        .filter(|e| !e.is_empty())
        .map(|e| {
            if flake_ref::is_flake_id(e) {
                Ok(e.to_owned())
            } else {
                Err(err(format!("invalid flake input attribute path element '{e}'")))
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Lock files.

/// What a lock file records for a locked input.
#[derive(Debug, Clone, PartialEq)]
struct Locked {
    locked: FlakeRef,
    original: FlakeRef,
    is_flake: bool,
    parent: Option<Vec<String>>,
}

/// A node of a lock file: the root (no `locked`) or a locked input.
#[derive(Debug)]
struct Node {
    locked: Option<Locked>,
    inputs: RefCell<BTreeMap<String, Edge>>,
}

#[derive(Debug, Clone)]
enum Edge {
    Node(Rc<Node>),
    Follows(Vec<String>),
}

fn new_node(locked: Option<Locked>) -> Rc<Node> {
    Rc::new(Node { locked, inputs: RefCell::new(BTreeMap::new()) })
}

/// Reads `dir/flake.lock`; an empty lock file when there is none.
fn read_lock_file(co: &Co, dir: &str) -> EvalResult<Rc<Node>> {
    let path = format!("{}/flake.lock", dir.trim_end_matches('/'));
    if !co.state.io.path_exists(Path::new(&path)) {
        return Ok(new_node(None));
    }
    let bytes = co
        .state
        .io
        .read_file(Path::new(&path))
        .map_err(|e| err(format!("opening file '{path}': {}", crate::io::describe_error(&e))))?;
    let json = super::json::parse_json(&co.state, &bytes)
        .map_err(|e| err(format!("Could not parse '{path}': {}", e.message)))?;
    LockReader { co, path: &path, json: &json, nodes: HashMap::new() }.read()
}

struct LockReader<'a> {
    co: &'a Co,
    path: &'a str,
    json: &'a Value,
    nodes: HashMap<String, Rc<Node>>,
}

impl LockReader<'_> {
    fn get(&self, v: &Value, key: &str) -> Option<Value> {
        match v {
            Value::Attrs(set) => set.get(self.co.state.intern(key)).cloned(),
            _ => None,
        }
    }

    fn bad(&self, what: &str) -> EvalError {
        err(format!("lock file '{}' is malformed: {what}", self.path))
    }

    fn read(mut self) -> EvalResult<Rc<Node>> {
        let version = match self.get(self.json, "version") {
            Some(Value::Int(n)) => n,
            _ => 0,
        };
        if !(5..=7).contains(&version) {
            return Err(err(format!("lock file '{}' has unsupported version {version}", self.path)));
        }
        let Some(Value::String(root_key)) = self.get(self.json, "root") else { return Err(self.bad("no root")) };
        let root_key = root_key.to_str_lossy().into_owned();
        let nodes = self.get(self.json, "nodes").ok_or_else(|| self.bad("no nodes"))?;
        let root = new_node(None);
        self.nodes.insert(root_key.clone(), root.clone());
        let root_json = self.get(&nodes, &root_key).ok_or_else(|| self.bad("no root node"))?;
        self.inputs(&root, &root_json, &nodes)?;
        Ok(root)
    }

    fn inputs(&mut self, node: &Rc<Node>, json: &Value, nodes: &Value) -> EvalResult<()> {
        let Some(Value::Attrs(inputs)) = self.get(json, "inputs") else { return Ok(()) };
        for attr in inputs.iter() {
            let name = self.co.state.name(attr.name);
            let edge = match &attr.value {
                Value::List(path) => Edge::Follows(
                    path.as_slice()
                        .iter()
                        .map(|e| match e {
                            Value::String(s) => Ok(s.to_str_lossy().into_owned()),
                            _ => Err(self.bad("a follows path element is not a string")),
                        })
                        .collect::<EvalResult<_>>()?,
                ),
                Value::String(key) => {
                    let key = key.to_str_lossy().into_owned();
                    match self.nodes.get(&key) {
                        Some(n) if n.locked.is_none() => return Err(err("lock file contains cycle to root node")),
                        Some(n) => Edge::Node(n.clone()),
                        None => {
                            let Some(json2) = self.get(nodes, &key) else {
                                return Err(err(format!("lock file references missing node '{key}'")));
                            };
                            let child = new_node(Some(self.locked(&json2)?));
                            self.nodes.insert(key, child.clone());
                            self.inputs(&child, &json2, nodes)?;
                            Edge::Node(child)
                        }
                    }
                }
                _ => return Err(self.bad("an input is neither a node nor a path")),
            };
            node.inputs.borrow_mut().insert(name, edge);
        }
        Ok(())
    }

    fn flake_ref(&self, json: &Value, key: &str, info: Option<&str>) -> EvalResult<FlakeRef> {
        let Some(v) = self.get(json, key) else {
            return Err(err(format!("attribute '{key}' missing in lock file")));
        };
        let mut attrs = json_attrs(&self.co.state, &v)?;
        if let Some(extra) = info.and_then(|i| self.get(json, i)) {
            attrs.extend(json_attrs(&self.co.state, &extra)?);
        }
        FlakeRef::from_attrs(attrs).map_err(err)
    }

    fn locked(&self, json: &Value) -> EvalResult<Locked> {
        let locked = self.flake_ref(json, "locked", Some("info"))?;
        let original = self.flake_ref(json, "original", None)?;
        let is_flake = !matches!(self.get(json, "flake"), Some(Value::Bool(false)));
        let parent = match self.get(json, "parent") {
            Some(Value::List(l)) => Some(
                l.as_slice()
                    .iter()
                    .filter_map(|e| match e {
                        Value::String(s) => Some(s.to_str_lossy().into_owned()),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        };
        if !locked.is_locked() && locked.relative_path().is_none() {
            if locked.input.contains_key("narHash") {
                self.co.state.io.warn(&format!(
                    "warning: Lock file entry '{}' is unlocked (e.g. lacks a Git revision) but is checked by NAR hash. \
                     This is not reproducible and will break after garbage collection or when shared.\n",
                    locked.show()
                ));
            } else {
                return Err(err(format!(
                    "Lock file contains unlocked input '{}'. Use '--allow-dirty-locks' to accept this lock file.",
                    flake_ref::attrs_to_json(&locked.input)
                )));
            }
        }
        Ok(Locked { locked, original, is_flake, parent })
    }
}

/// The attributes of a JSON object of a lock file.
fn json_attrs(state: &crate::state::EvalState, v: &Value) -> EvalResult<Attrs> {
    let Value::Attrs(set) = v else { return Err(err("a lock file entry is not an object")) };
    let mut attrs = Attrs::new();
    for attr in set.iter() {
        let name = state.name(attr.name);
        let a = match &attr.value {
            Value::String(s) => Attr::Str(s.to_str_lossy().into_owned()),
            Value::Bool(b) => Attr::Bool(*b),
            Value::Int(i) if *i >= 0 => Attr::Int(*i as u64),
            _ => return Err(err(format!("unsupported input attribute type in lock file ('{name}')"))),
        };
        attrs.insert(name, a);
    }
    Ok(attrs)
}

fn json_object(attrs: &Attrs) -> String {
    let fields: Vec<String> = attrs
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Attr::Str(s) => super::json::quote(s),
                Attr::Int(i) => i.to_string(),
                Attr::Bool(b) => b.to_string(),
            };
            format!("{}:{v}", super::json::quote(k))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn json_path(path: &[String]) -> String {
    format!("[{}]", path.iter().map(|p| super::json::quote(p)).collect::<Vec<_>>().join(","))
}

/// The lock file as JSON (CppNix's `LockFile::toJSON`: nodes named after
/// the input that first reaches them, `_2`, `_3`, ... on clashes), and the
/// name of each node.
fn lock_to_json(root: &Rc<Node>) -> (String, HashMap<*const Node, String>) {
    struct Dumper {
        keys: HashMap<*const Node, String>,
        used: HashSet<String>,
        nodes: BTreeMap<String, String>,
    }
    impl Dumper {
        fn dump(&mut self, key: &str, node: &Rc<Node>) -> String {
            if let Some(k) = self.keys.get(&Rc::as_ptr(node)) {
                return k.clone();
            }
            let mut key = key.to_owned();
            if !self.used.insert(key.clone()) {
                let mut n = 2;
                while !self.used.insert(format!("{key}_{n}")) {
                    n += 1;
                }
                key = format!("{key}_{n}");
            }
            self.keys.insert(Rc::as_ptr(node), key.clone());
            // Fields in nlohmann's (sorted) order.
            let mut fields = Vec::new();
            if let Some(l) = &node.locked {
                if !l.is_flake {
                    fields.push("\"flake\":false".to_owned());
                }
            }
            let inputs = node.inputs.borrow().clone();
            if !inputs.is_empty() {
                let items: Vec<String> = inputs
                    .iter()
                    .map(|(id, edge)| {
                        let v = match edge {
                            Edge::Node(child) => super::json::quote(&self.dump(id, child)),
                            Edge::Follows(path) => json_path(path),
                        };
                        format!("{}:{v}", super::json::quote(id))
                    })
                    .collect();
                fields.push(format!("\"inputs\":{{{}}}", items.join(",")));
            }
            if let Some(l) = &node.locked {
                fields.push(format!("\"locked\":{}", json_object(&l.locked.to_attrs())));
                fields.push(format!("\"original\":{}", json_object(&l.original.to_attrs())));
                if let Some(p) = &l.parent {
                    fields.push(format!("\"parent\":{}", json_path(p)));
                }
            }
            self.nodes.insert(key.clone(), format!("{{{}}}", fields.join(",")));
            key
        }
    }
    let mut d = Dumper { keys: HashMap::new(), used: HashSet::new(), nodes: BTreeMap::new() };
    let root_key = d.dump("root", root);
    let nodes: Vec<String> = d.nodes.iter().map(|(k, v)| format!("{}:{v}", super::json::quote(k))).collect();
    let json =
        format!("{{\"nodes\":{{{}}},\"root\":{},\"version\":7}}", nodes.join(","), super::json::quote(&root_key));
    (json, d.keys)
}

/// Every input of the lock file by its path (CppNix's `getAllInputs`).
fn all_inputs(root: &Rc<Node>) -> BTreeMap<Vec<String>, Edge> {
    let mut done = HashSet::new();
    let mut out = BTreeMap::new();
    let mut stack = vec![(Vec::new(), root.clone())];
    while let Some((prefix, node)) = stack.pop() {
        if !done.insert(Rc::as_ptr(&node)) {
            continue;
        }
        for (id, edge) in node.inputs.borrow().iter() {
            let mut path: Vec<String> = prefix.clone();
            path.push(id.clone());
            if let Edge::Node(child) = edge {
                stack.push((path.clone(), child.clone()));
            }
            out.insert(path, edge.clone());
        }
    }
    out
}

/// The node an input path leads to (CppNix's `LockFile::findInput`).
fn find_input(root: &Rc<Node>, path: &[String], visited: &mut Vec<Vec<String>>) -> EvalResult<Option<Rc<Node>>> {
    if let Some(i) = visited.iter().position(|p| p == path) {
        let mut cycle: Vec<String> = visited[i..].iter().map(|p| p.join("/")).collect();
        cycle.push(path.join("/"));
        return Err(err(format!("follow cycle detected: [{}]", cycle.join(" -> "))));
    }
    visited.push(path.to_vec());
    let mut pos = root.clone();
    for elem in path {
        let edge = pos.inputs.borrow().get(elem).cloned();
        match edge {
            Some(Edge::Node(n)) => pos = n,
            Some(Edge::Follows(f)) => match find_input(root, &f, visited)? {
                Some(n) => pos = n,
                None => return Ok(None),
            },
            None => return Ok(None),
        }
    }
    Ok(Some(pos))
}

/// CppNix's `LockFile::check`: every `follows` leads somewhere.
fn check_follows(root: &Rc<Node>) -> EvalResult<()> {
    for (path, edge) in all_inputs(root) {
        if let Edge::Follows(f) = edge {
            if !f.is_empty() && find_input(root, &f, &mut Vec::new())?.is_none() {
                return Err(err(format!("input '{}' follows a non-existent input '{}'", path.join("/"), f.join("/"))));
            }
        }
    }
    Ok(())
}

fn describe_edge(edge: &Edge) -> String {
    match edge {
        Edge::Node(n) => {
            let locked = &n.locked.as_ref().expect("inputs are locked nodes").locked;
            let mut s = format!("'{}'", locked.show());
            if let Some(t) = int_attr(&locked.input, "lastModified") {
                let d = super::fetch_git::format_utc(t as i64);
                s.push_str(&format!(" ({}-{}-{})", &d[0..4], &d[4..6], &d[6..8]));
            }
            s
        }
        Edge::Follows(f) => format!("follows '{}'", f.join("/")),
    }
}

fn same_edge(a: &Edge, b: &Edge) -> bool {
    match (a, b) {
        (Edge::Node(x), Edge::Node(y)) => x.locked.as_ref().map(|l| &l.locked) == y.locked.as_ref().map(|l| &l.locked),
        (Edge::Follows(x), Edge::Follows(y)) => x == y,
        _ => false,
    }
}

/// CppNix's `LockFile::diff` (without colours).
fn lock_diff(old: &Rc<Node>, new: &Rc<Node>) -> String {
    let old = all_inputs(old);
    let new = all_inputs(new);
    let mut out = String::new();
    let (mut i, mut j) = (old.iter().peekable(), new.iter().peekable());
    loop {
        match (i.peek(), j.peek()) {
            (None, None) => break,
            (o, Some((np, ne))) if o.is_none_or(|(op, _)| *op > *np) => {
                out.push_str(&format!("• Added input '{}':\n    {}\n", np.join("/"), describe_edge(ne)));
                j.next();
            }
            (Some((op, _)), n) if n.is_none_or(|(np, _)| *op < *np) => {
                out.push_str(&format!("• Removed input '{}'\n", op.join("/")));
                i.next();
            }
            (Some((op, oe)), Some((_, ne))) => {
                if !same_edge(oe, ne) {
                    out.push_str(&format!(
                        "• Updated input '{}':\n    {}\n  → {}\n",
                        op.join("/"),
                        describe_edge(oe),
                        describe_edge(ne)
                    ));
                }
                i.next();
                j.next();
            }
            _ => unreachable!("covered above"),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Locking.

#[derive(Clone)]
struct OverrideTarget {
    input: FlakeInput,
    /// The directory of the flake that set the override (relative paths
    /// resolve against it).
    source_dir: String,
    parent_path: Vec<String>,
}

/// CppNix's `lockFlake` state.
struct Locker<'a> {
    co: &'a Co,
    allow_unlocked: bool,
    overrides: RefCell<BTreeMap<Vec<String>, OverrideTarget>>,
    /// Nodes fetched while locking and the directory of each (inside a
    /// store path).
    node_paths: RefCell<Vec<(Rc<Node>, String)>>,
    parents: RefCell<Vec<FlakeRef>>,
}

/// `dir` joined with a relative path, `.` and `..` resolved.
fn join_relative(dir: &str, rel: &str) -> String {
    let joined = format!("{dir}/{rel}");
    String::from_utf8_lossy(&crate::compiler::canon_path(joined.as_bytes())).into_owned()
}

impl Locker<'_> {
    fn add_overrides(&self, input: &FlakeInput, prefix: &[String], node_path: &[String], source_dir: &str) {
        for (id, o) in &input.overrides {
            let mut path = prefix.to_vec();
            path.push(id.clone());
            if o.flake_ref.is_some() || o.follows.is_some() {
                self.overrides.borrow_mut().entry(path.clone()).or_insert_with(|| OverrideTarget {
                    input: o.clone(),
                    source_dir: source_dir.to_owned(),
                    parent_path: node_path.to_vec(),
                });
            }
            self.add_overrides(o, &path, node_path, source_dir);
        }
    }

    /// A flake input fetched (or, for a relative path, found in
    /// `relative`) and read.
    async fn input_flake(&self, r: &FlakeRef, relative: Option<String>, path: &[String]) -> EvalResult<Flake> {
        if let Some(dir) = relative {
            let inputs = read_flake(self.co, &dir, r, path).await?;
            return Ok(Flake { dir, locked_ref: r.clone(), inputs });
        }
        let fetched = fetch(self.co, &r.input)?;
        let dir = subdir_of(&fetched.store_path, &r.subdir);
        let inputs = read_flake(self.co, &dir, r, path).await?;
        Ok(Flake { dir, locked_ref: FlakeRef { input: fetched.locked, subdir: r.subdir.clone() }, inputs })
    }

    /// CppNix's `computeLocks`.
    #[allow(clippy::too_many_arguments)]
    fn compute<'b>(
        &'b self,
        inputs: Inputs,
        node: Rc<Node>,
        prefix: Vec<String>,
        old: Option<Rc<Node>>,
        follows_prefix: Vec<String>,
        source_dir: String,
        trust_lock: bool,
    ) -> Boxed<'b, ()> {
        Box::pin(async move {
            for (id, input) in &inputs {
                let mut path = prefix.clone();
                path.push(id.clone());
                self.add_overrides(input, &path, &prefix, &source_dir);
            }
            let non_existent: Vec<String> = self
                .overrides
                .borrow()
                .keys()
                .filter(|p| p[..p.len() - 1] == prefix[..] && !inputs.contains_key(&p[p.len() - 1]))
                .map(|p| p[p.len() - 1].clone())
                .collect();
            for name in non_existent {
                self.co.state.io.warn(&format!(
                    "warning: input '{}' has an override for a non-existent input '{name}'\n",
                    prefix.join("/")
                ));
            }
            for (id, declared) in &inputs {
                let mut path = prefix.clone();
                path.push(id.clone());
                let shown = path.join("/");
                self.compute_input(id, declared, &node, &path, &old, &follows_prefix, &source_dir, trust_lock)
                    .await
                    .map_err(|e| e.with_frame(format!("while updating the flake input '{shown}'"), None))?;
            }
            Ok(())
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn compute_input(
        &self,
        id: &str,
        declared: &FlakeInput,
        node: &Rc<Node>,
        path: &[String],
        old: &Option<Rc<Node>>,
        follows_prefix: &[String],
        source_dir: &str,
        trust_lock: bool,
    ) -> EvalResult<()> {
        let over = self.overrides.borrow().get(path).cloned();
        let mut input = over.as_ref().map_or_else(|| declared.clone(), |o| o.input.clone());
        let overridden_dir = over.as_ref().map_or(source_dir, |o| o.source_dir.as_str()).to_owned();
        if over.is_some() {
            input.is_flake = declared.is_flake;
        }
        if let Some(f) = input.follows {
            node.inputs.borrow_mut().insert(id.to_owned(), Edge::Follows(f));
            return Ok(());
        }
        let r = input.flake_ref.clone().unwrap_or_else(|| FlakeRef::indirect(id));
        let prefix = &path[..path.len() - 1];
        let parent_path =
            r.relative_path().map(|_| over.as_ref().map_or_else(|| prefix.to_vec(), |o| o.parent_path.clone()));
        let relative = r.relative_path().map(|rel| join_relative(&overridden_dir, rel));
        let old_lock = old.as_ref().and_then(|o| match o.inputs.borrow().get(id) {
            Some(Edge::Node(n)) => Some(n.clone()),
            _ => None,
        });
        let reusable =
            old_lock.filter(|ol| ol.locked.as_ref().is_some_and(|l| l.original == r && l.parent == parent_path));
        if let Some(ol) = reusable {
            // The reference did not change: keep the locked entry, and
            // fetch it only if its inputs' overrides changed.
            let child = new_node(ol.locked.clone());
            node.inputs.borrow_mut().insert(id.to_owned(), Edge::Node(child.clone()));
            let mut must_refetch = false;
            let mut fake = Inputs::new();
            for (k, e) in ol.inputs.borrow().iter() {
                match e {
                    Edge::Node(n) => {
                        let l = n.locked.as_ref().expect("inputs are locked nodes");
                        fake.insert(
                            k.clone(),
                            FlakeInput {
                                flake_ref: Some(l.original.clone()),
                                is_flake: l.is_flake,
                                ..FlakeInput::default()
                            },
                        );
                    }
                    Edge::Follows(f) => {
                        if !trust_lock {
                            let mut p = path.to_vec();
                            p.push(k.clone());
                            if !self.overrides.borrow().contains_key(&p) {
                                must_refetch = true;
                                break;
                            }
                        }
                        let mut absolute = follows_prefix.to_vec();
                        absolute.extend(f.iter().cloned());
                        fake.insert(k.clone(), FlakeInput { follows: Some(absolute), ..FlakeInput::default() });
                    }
                }
            }
            if must_refetch {
                let locked_ref = ol.locked.as_ref().expect("a locked node").locked.clone();
                let flake = self.input_flake(&locked_ref, relative, path).await?;
                self.node_paths.borrow_mut().push((child.clone(), flake.dir.clone()));
                let dir = flake.dir.clone();
                self.compute(flake.inputs, child, path.to_vec(), Some(ol), follows_prefix.to_vec(), dir, false).await
            } else {
                self.compute(fake, child, path.to_vec(), Some(ol), follows_prefix.to_vec(), source_dir.to_owned(), true)
                    .await
            }
        } else {
            let shown = path.join("/");
            if !self.allow_unlocked && !r.is_locked() && r.relative_path().is_none() {
                return Err(err(format!("cannot update unlocked flake input '{shown}' in pure mode")));
            }
            if input.is_flake {
                let flake = self.input_flake(&r, relative, path).await?;
                let child = new_node(Some(Locked {
                    locked: flake.locked_ref.clone(),
                    original: r.clone(),
                    is_flake: true,
                    parent: parent_path,
                }));
                node.inputs.borrow_mut().insert(id.to_owned(), Edge::Node(child.clone()));
                if let Some(p) = self.parents.borrow().iter().find(|p| **p == r) {
                    return Err(err(format!("found circular import of flake '{}'", p.show())));
                }
                self.parents.borrow_mut().push(r.clone());
                self.node_paths.borrow_mut().push((child.clone(), flake.dir.clone()));
                let old_lock = read_lock_file(self.co, &flake.dir)?;
                let dir = flake.dir.clone();
                let result =
                    self.compute(flake.inputs, child, path.to_vec(), Some(old_lock), path.to_vec(), dir, false).await;
                self.parents.borrow_mut().pop();
                result
            } else {
                let (dir, locked) = match relative {
                    Some(dir) => (dir, r.clone()),
                    None => {
                        let fetched = fetch(self.co, &r.input)?;
                        (fetched.store_path, FlakeRef { input: fetched.locked, subdir: r.subdir.clone() })
                    }
                };
                let child = new_node(Some(Locked { locked, original: r, is_flake: false, parent: parent_path }));
                node.inputs.borrow_mut().insert(id.to_owned(), Edge::Node(child.clone()));
                self.node_paths.borrow_mut().push((child, dir));
                Ok(())
            }
        }
    }
}

fn subdir_of(store_path: &str, subdir: &str) -> String {
    if subdir.is_empty() {
        store_path.to_owned()
    } else {
        join_relative(store_path, subdir)
    }
}

// ---------------------------------------------------------------------------
// The builtin.

fn get_flake(co: Co, args: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let v = co.force(args[0].clone()).await?;
        let pure = co.state.settings.globals.pure_eval;
        if let Value::Path(p) = &v {
            // Current Nix reads a flake at a path of the store as it is.
            let p = String::from_utf8_lossy(p).into_owned();
            if !co.state.store.borrow().dir.is_in_store(&p) {
                return Err(err(format!("path '{p}' is not in the Nix store")));
            }
            let fake = FlakeRef::indirect("get-flake");
            let inputs = read_flake(&co, &p, &fake, &[]).await?;
            let flake = Flake { dir: p, locked_ref: fake.clone(), inputs };
            return lock_and_call(&co, &fake, flake, !pure).await;
        }
        let s =
            super::json::string_no_context(&co.state, &v, "while evaluating the argument passed to builtins.getFlake")?;
        let s = s.to_str_lossy().into_owned();
        let top = FlakeRef::parse(&s, false).map_err(err)?;
        if pure && !top.is_locked() {
            return Err(err(format!(
                "cannot call 'getFlake' on unlocked flake reference '{s}', at {} (use --impure to override)",
                co.state.show_pos(None)
            )));
        }
        let fetched = fetch(&co, &top.input)?;
        let dir = subdir_of(&fetched.store_path, &top.subdir);
        let inputs = read_flake(&co, &dir, &top, &[]).await?;
        let flake = Flake { dir, locked_ref: FlakeRef { input: fetched.locked, subdir: top.subdir.clone() }, inputs };
        lock_and_call(&co, &top, flake, !pure).await
    })
}

/// CppNix's `lockFlake` (never writing the lock file) and `callFlake`.
async fn lock_and_call(co: &Co, top: &FlakeRef, flake: Flake, allow_unlocked: bool) -> EvalResult<Value> {
    let locker = Locker {
        co,
        allow_unlocked,
        overrides: RefCell::new(BTreeMap::new()),
        node_paths: RefCell::new(Vec::new()),
        parents: RefCell::new(Vec::new()),
    };
    let root = new_node(None);
    let force_dirty = async {
        let old = read_lock_file(co, &flake.dir)?;
        locker.node_paths.borrow_mut().push((root.clone(), flake.dir.clone()));
        locker
            .compute(
                flake.inputs.clone(),
                root.clone(),
                Vec::new(),
                Some(old.clone()),
                Vec::new(),
                flake.dir.clone(),
                false,
            )
            .await?;
        check_follows(&root)?;
        if lock_to_json(&root).0 != lock_to_json(&old).0 {
            let diff = lock_diff(&old, &root);
            co.state.io.warn(&format!(
                "warning: not writing modified lock file of flake '{}':\n{}\n",
                top.show(),
                diff.trim_end()
            ));
            return Ok(true);
        }
        Ok(false)
    }
    .await
    .map_err(|e: EvalError| {
        e.with_frame(format!("while updating the lock file of flake '{}'", flake.locked_ref.show()), None)
    })?;
    let node_paths = locker.node_paths.take();
    call_flake(co, &root, &flake, &node_paths, force_dirty).await
}

/// CppNix's `callFlake`: `call-flake.nix` applied to the lock file, the
/// trees fetched while locking, and `fetchFinalTree`.
async fn call_flake(
    co: &Co,
    root: &Rc<Node>,
    flake: &Flake,
    node_paths: &[(Rc<Node>, String)],
    force_dirty: bool,
) -> EvalResult<Value> {
    let state = &co.state;
    let (json, keys) = lock_to_json(root);
    let mut overrides = AttrsBuilder::with_capacity(node_paths.len());
    for (node, dir) in node_paths {
        let (store_path, subdir) = {
            let store = state.store.borrow();
            match store.dir.split_store_path(dir) {
                Ok((p, rest)) => (store.dir.print_path(&p), rest.trim_start_matches('/').to_owned()),
                Err(_) => return Err(err(format!("path '{dir}' is not in the Nix store"))),
            }
        };
        let (input, dirty) = match &node.locked {
            Some(l) => (&l.locked.input, false),
            None => (&flake.locked_ref.input, force_dirty),
        };
        let mut b = AttrsBuilder::with_capacity(2);
        b.insert(state.intern("sourceInfo"), tree_attrs(co, &store_path, input, dirty), None);
        b.insert(state.intern("dir"), Value::string(subdir), None);
        let key = keys.get(&Rc::as_ptr(node)).expect("every node has a key");
        overrides.insert(state.intern(key.as_str()), Value::attrs(b.build()), None);
    }
    let call_flake =
        crate::load::load_source(state, Origin::Internal("call-flake.nix"), CALL_FLAKE_NIX.as_bytes(), "/".as_ref())
            .expect("the internal call-flake.nix compiles");
    let fetch_final = Value::PrimOp(Gc::new(PrimOpApp { op: &FETCH_FINAL_TREE, args: Vec::new() }));
    let f = co.call(call_flake, Value::string(json)).await?;
    let f = co.call(f, Value::attrs(overrides.build())).await?;
    co.call(f, fetch_final).await
}
