//! `neve instantiate`: evaluate to derivations as `nix-instantiate` does,
//! write the closure of their `.drv` files (and the sources and texts they
//! refer to) into a store, and print their paths.
//!
//! The store is a directory used as a root (`--store-dir DIR`: objects land
//! in `DIR/nix/store`) or a nix-daemon (`--daemon [SOCKET]`, the default).
//! The evaluation itself never writes; it records what it would have
//! written (`neve_eval::store::EvalStore`) and that record is written here.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use neve_eval::builtins::json::escape_string;
use neve_eval::store::EvalStore;
use neve_eval::value::Attrs;
use neve_eval::{EvalError, Evaluator, Value};
use neve_store::derivation::DerivationOutput;
use neve_store::{DaemonClient, DirStore, StorePath, WritableStore};

use crate::eval_cmd::{self, EvalArgs};

/// The socket CppNix's clients use when nothing else is configured.
const DEFAULT_SOCKET: &str = "/nix/var/nix/daemon-socket/socket";

/// Where `neve instantiate` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// A directory used as a root: objects land in `DIR/nix/store/...`.
    Dir(PathBuf),
    /// A nix-daemon socket (`None`: the default socket).
    Daemon(Option<PathBuf>),
}

/// One derivation found in the result: its `.drv` path and the output the
/// value stands for.
struct Found {
    drv_path: String,
    output: String,
}

pub fn run(args: &[String]) -> ExitCode {
    let args = match eval_cmd::parse_args(args) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(1);
        }
    };
    let mut eval = Evaluator::new(args.settings.clone());
    let found = match find_all(&mut eval, &args) {
        Ok(found) => found,
        Err(e) => {
            crate::write_error(&eval.render_error(&e));
            return ExitCode::from(1);
        }
    };
    let store = eval.state().store.borrow();
    let mut roots = Vec::new();
    for f in &found {
        match store.dir.parse_path(&f.drv_path) {
            Ok(p) => roots.push(p),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if let Err(msg) = write(&store, &roots, &args.store.clone().unwrap_or(StoreChoice::Daemon(None))) {
        eprintln!("error: {msg}");
        return ExitCode::from(1);
    }
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let _ = writeln!(stdout, "{}", String::from_utf8_lossy(&derivations_json(&store, &roots)));
    } else {
        for f in &found {
            let suffix = if f.output == "out" { String::new() } else { format!("!{}", f.output) };
            let _ = writeln!(stdout, "{}{suffix}", f.drv_path);
        }
    }
    ExitCode::SUCCESS
}

/// Writes the closure of `roots`.
fn write(store: &EvalStore, roots: &[StorePath], choice: &StoreChoice) -> Result<(), String> {
    match choice {
        StoreChoice::Dir(root) => {
            let mut target = DirStore::with_store_dir(root, store.dir.clone());
            store.write_closure(roots, &mut target)
        }
        StoreChoice::Daemon(socket) => {
            let socket = socket.clone().unwrap_or_else(default_socket);
            let mut client = DaemonClient::connect(&socket).map_err(|e| {
                format!(
                    "cannot connect to the Nix daemon at '{}': {e}\n       \
                     (is nix-daemon running? To write into a directory instead, use '--store-dir DIR')",
                    socket.display()
                )
            })?;
            let client = &mut client as &mut dyn WritableStore;
            store.write_closure(roots, client)?;
            eprintln!(
                "warning: you did not specify '--add-root'; the result might be removed by the garbage collector"
            );
            Ok(())
        }
    }
}

fn default_socket() -> PathBuf {
    match std::env::var_os("NIX_DAEMON_SOCKET_PATH") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(DEFAULT_SOCKET),
    }
}

/// Evaluates each `-A` path (or the whole expression) and collects the
/// derivations in it, as `nix-instantiate` does.
fn find_all(eval: &mut Evaluator, args: &EvalArgs) -> Result<Vec<Found>, EvalError> {
    let (root, auto_args) = eval_cmd::root_and_args(eval, args)?;
    let paths = if args.attr_paths.is_empty() { vec![String::new()] } else { args.attr_paths.clone() };
    let mut found = Vec::new();
    for path in &paths {
        let mut v = eval_cmd::auto_call(eval, root.clone(), &auto_args)?;
        for name in path.split('.').filter(|s| !s.is_empty()) {
            v = eval.select(v, name)?;
            v = eval_cmd::auto_call(eval, v, &auto_args)?;
        }
        let mut done = HashSet::new();
        get_derivations(eval, v, &auto_args, &mut found, &mut done)?;
    }
    Ok(found)
}

/// CppNix's `getDerivation`: `Ok(true)` when `v` is not a derivation (look
/// inside it), `Ok(false)` when it is one (recorded once).
fn get_derivation(
    eval: &mut Evaluator,
    v: &Value,
    found: &mut Vec<Found>,
    done: &mut HashSet<*const u8>,
) -> Result<bool, EvalError> {
    let v = eval.force(v.clone())?;
    let Value::Attrs(set) = &v else { return Ok(true) };
    if !is_derivation(eval, set)? {
        return Ok(true);
    }
    if !done.insert(set.as_ptr()) {
        return Ok(false);
    }
    let drv_path = match string_attr(eval, set, "drvPath")? {
        Some(p) => p,
        None => return Err(EvalError::eval("derivation does not contain a 'drvPath' attribute")),
    };
    let output = string_attr(eval, set, "outputName")?.unwrap_or_default();
    if string_attr(eval, set, "name")?.is_none() {
        return Err(EvalError::eval("derivation name missing"));
    }
    if output.is_empty() {
        return Err(EvalError::eval(format!("derivation '{drv_path}' lacks an 'outputName' attribute")));
    }
    found.push(Found { drv_path, output });
    Ok(false)
}

fn is_derivation(eval: &mut Evaluator, set: &Attrs) -> Result<bool, EvalError> {
    let Some(t) = set.get(eval.state().sym.type_).cloned() else { return Ok(false) };
    Ok(matches!(eval.force(t)?, Value::String(s) if s.as_bytes() == b"derivation"))
}

fn string_attr(eval: &mut Evaluator, set: &Attrs, name: &str) -> Result<Option<String>, EvalError> {
    let sym = eval.state().intern(name);
    let Some(v) = set.get(sym).cloned() else { return Ok(None) };
    match eval.force(v)? {
        Value::String(s) => Ok(Some(s.to_str_lossy().into_owned())),
        other => Err(EvalError::eval(format!("expected a string but found {}", other.type_description()))),
    }
}

/// CppNix's `isAttrPathComponent`: `[A-Za-z_][A-Za-z0-9-_+]*`.
fn is_attr_path_component(name: &[u8]) -> bool {
    match name.split_first() {
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|c| c.is_ascii_alphanumeric() || b"-_+".contains(c))
        }
        None => false,
    }
}

/// CppNix's `getDerivations`: a derivation, or the derivations in a list or
/// set (a set's attributes in name order; nested sets only with
/// `recurseForDerivations = true`).
fn get_derivations(
    eval: &mut Evaluator,
    v: Value,
    auto_args: &[(String, Value)],
    found: &mut Vec<Found>,
    done: &mut HashSet<*const u8>,
) -> Result<(), EvalError> {
    let v = eval_cmd::auto_call(eval, v, auto_args)?;
    if !get_derivation(eval, &v, found, done)? {
        return Ok(());
    }
    match &v {
        Value::Attrs(set) => {
            let combine = set.get(eval.state().intern("_combineChannels")).is_some();
            let recurse_sym = eval.state().intern("recurseForDerivations");
            let mut attrs: Vec<_> = set.iter().map(|a| (eval.state().name_bytes(a.name), a.clone())).collect();
            attrs.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, attr) in attrs {
                if !is_attr_path_component(&name) {
                    continue;
                }
                let r = (|| {
                    if combine {
                        return get_derivations(eval, attr.value.clone(), auto_args, found, done);
                    }
                    if get_derivation(eval, &attr.value, found, done)? {
                        if let Value::Attrs(inner) = eval.force(attr.value.clone())? {
                            if let Some(r) = inner.get(recurse_sym).cloned() {
                                let r = eval.force(r)?;
                                let Value::Bool(b) = r else {
                                    return Err(EvalError::eval(format!(
                                        "expected a Boolean but found {}",
                                        r.type_description()
                                    ))
                                    .with_frame("while evaluating the attribute `recurseForDerivations`", None));
                                };
                                if b {
                                    get_derivations(eval, Value::Attrs(inner), auto_args, found, done)?;
                                }
                            }
                        }
                    }
                    Ok(())
                })();
                r.map_err(|e| {
                    e.with_frame(
                        format!("while evaluating the attribute '{}'", String::from_utf8_lossy(&name)),
                        attr.pos,
                    )
                })?;
            }
            Ok(())
        }
        Value::List(items) => {
            for item in items.0.iter() {
                if get_derivation(eval, item, found, done)? {
                    get_derivations(eval, item.clone(), auto_args, found, done)?;
                }
            }
            Ok(())
        }
        _ => Err(EvalError::eval("expression does not evaluate to a derivation (or a set or list of those)")),
    }
}

fn json_string(out: &mut Vec<u8>, s: &[u8]) {
    if escape_string(s, out).is_err() {
        let _ = escape_string(String::from_utf8_lossy(s).as_bytes(), out);
    }
}

/// A JSON object from `(key, value text)` pairs, keys in byte order (as
/// nlohmann's objects are).
fn json_object(out: &mut Vec<u8>, mut members: Vec<(Vec<u8>, Vec<u8>)>) {
    members.sort_by(|a, b| a.0.cmp(&b.0));
    out.push(b'{');
    for (i, (k, v)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_string(out, &k);
        out.push(b':');
        out.extend_from_slice(&v);
    }
    out.push(b'}');
}

fn json_str(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    json_string(&mut out, s);
    out
}

fn json_list<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = vec![b'['];
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_string(&mut out, s);
    }
    out.push(b']');
    out
}

/// The derivations as current Nix's `nix derivation show` prints them
/// (format version 4).
fn derivations_json(store: &EvalStore, roots: &[StorePath]) -> Vec<u8> {
    let mut drvs = Vec::new();
    for path in roots {
        let Some(drv) = store.derivation(path) else { continue };
        let mut outputs = Vec::new();
        for (name, out) in &drv.outputs {
            let method = |m: neve_store::FileIngestionMethod| match m {
                neve_store::FileIngestionMethod::Flat => b"flat".to_vec(),
                neve_store::FileIngestionMethod::Recursive => b"nar".to_vec(),
            };
            let members: Vec<(Vec<u8>, Vec<u8>)> = match out {
                DerivationOutput::InputAddressed(p) => vec![(b"path".to_vec(), json_str(p.to_string().as_bytes()))],
                DerivationOutput::Fixed { method: m, hash } => vec![
                    (b"method".to_vec(), json_str(&method(*m))),
                    (b"hash".to_vec(), json_str(hash.to_sri().as_bytes())),
                ],
                DerivationOutput::Floating { method: m, algo } => vec![
                    (b"method".to_vec(), json_str(&method(*m))),
                    (b"hashAlgo".to_vec(), json_str(algo.to_string().as_bytes())),
                ],
                DerivationOutput::Deferred => vec![],
                DerivationOutput::Impure { method: m, algo } => vec![
                    (b"method".to_vec(), json_str(&method(*m))),
                    (b"hashAlgo".to_vec(), json_str(algo.to_string().as_bytes())),
                    (b"impure".to_vec(), b"true".to_vec()),
                ],
            };
            let mut text = Vec::new();
            json_object(&mut text, members);
            outputs.push((name.as_bytes().to_vec(), text));
        }
        let mut inputs_drvs = Vec::new();
        for (p, outs) in &drv.input_drvs {
            let mut text = Vec::new();
            json_object(
                &mut text,
                vec![
                    (b"dynamicOutputs".to_vec(), b"{}".to_vec()),
                    (b"outputs".to_vec(), json_list(outs.iter().map(|o| o.as_bytes()))),
                ],
            );
            inputs_drvs.push((p.to_string().into_bytes(), text));
        }
        let srcs: Vec<String> = drv.input_srcs.iter().map(|p| p.to_string()).collect();
        let mut inputs = Vec::new();
        let mut drvs_text = Vec::new();
        json_object(&mut drvs_text, inputs_drvs);
        json_object(
            &mut inputs,
            vec![(b"drvs".to_vec(), drvs_text), (b"srcs".to_vec(), json_list(srcs.iter().map(|s| s.as_bytes())))],
        );
        let mut env = Vec::new();
        let mut structured = None;
        for (k, v) in &drv.env {
            if k == b"__json" {
                structured = Some(v.clone());
                continue;
            }
            env.push((k.clone(), json_str(v)));
        }
        let mut env_text = Vec::new();
        json_object(&mut env_text, env);
        let mut outputs_text = Vec::new();
        json_object(&mut outputs_text, outputs);
        let mut members = vec![
            (b"args".to_vec(), json_list(drv.args.iter().map(|a| &a[..]))),
            (b"builder".to_vec(), json_str(&drv.builder)),
            (b"env".to_vec(), env_text),
            (b"inputs".to_vec(), inputs),
            (b"name".to_vec(), json_str(drv.name.as_bytes())),
            (b"outputs".to_vec(), outputs_text),
            (b"system".to_vec(), json_str(&drv.platform)),
            (b"version".to_vec(), b"4".to_vec()),
        ];
        if let Some(s) = structured {
            members.push((b"structuredAttrs".to_vec(), s));
        }
        let mut text = Vec::new();
        json_object(&mut text, members);
        drvs.push((path.to_string().into_bytes(), text));
    }
    let mut drvs_text = Vec::new();
    json_object(&mut drvs_text, drvs);
    let mut out = Vec::new();
    json_object(&mut out, vec![(b"derivations".to_vec(), drvs_text), (b"version".to_vec(), b"4".to_vec())]);
    out
}

/// Whether `arg` names a Unix socket (so `--daemon` takes it as its value).
pub fn is_socket(arg: &str) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(Path::new(arg)).map(|m| m.file_type().is_socket()).unwrap_or(false)
}
