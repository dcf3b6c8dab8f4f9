//! Builtins that put things in the store or refer to what is there:
//! `toFile`, `path`, `filterSource`, `storePath` (CppNix's `prim_toFile`,
//! `addPath`, `prim_path`, `prim_filterSource`, `prim_storePath`).
//!
//! As everywhere in the evaluator, nothing is written: store paths are
//! computed and what they hold is recorded (see [`crate::store`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use neve_store::hash::hash_file;
use neve_store::nar::nar_hash_path_with;
use neve_store::{FileIngestionMethod, Hash, HashAlgo};

use super::args::{self, err};
use super::derivation::name_error;
use super::json::string_no_context;
use super::{native, PrimOp};
use crate::coerce::{coerce_to_string, CoerceMode};
use crate::error::{EvalError, EvalResult};
use crate::io::FileType;
use crate::store::{store_path_string, SourceObject, TextObject};
use crate::value::{NixString, StringContext, StringContextElem as Elem, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    native("toFile", 2, to_file),
    native("path", 1, path),
    native("filterSource", 2, filter_source),
    native("storePath", 1, store_path),
];

/// A context element as CppNix prints it (`=drv` for a whole derivation,
/// `drv!out` for an output).
fn show_elem(e: &Elem) -> String {
    match e {
        Elem::Opaque(p) => String::from_utf8_lossy(p).into_owned(),
        Elem::DrvDeep(p) => format!("={}", String::from_utf8_lossy(p)),
        Elem::Built { drv, output } => format!("{}!{}", String::from_utf8_lossy(drv), String::from_utf8_lossy(output)),
    }
}

fn to_file(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let state = co.state.clone();
        let name = co.force(a[0].clone()).await?;
        let name = string_no_context(&state, &name, "while evaluating the first argument passed to builtins.toFile")?;
        let name = name.to_str_lossy().into_owned();
        let contents = co.force(a[1].clone()).await?;
        let contents = args::string(&state, &contents)
            .map_err(|e| e.with_frame("while evaluating the second argument passed to builtins.toFile", None))?
            .clone();
        let mut references = BTreeSet::new();
        for elem in contents.context().into_iter().flatten() {
            match elem {
                Elem::Opaque(p) => {
                    let text = String::from_utf8_lossy(p);
                    let path = state
                        .store
                        .borrow()
                        .dir
                        .parse_path(&text)
                        .map_err(|_| err(format!("path '{text}' is not in the Nix store")))?;
                    references.insert(path);
                }
                other => {
                    return Err(err(format!(
                        "files created by builtins.toFile may not reference derivations, but {name} references {}",
                        show_elem(other)
                    )))
                }
            }
        }
        neve_store::store_path::validate_name(name.as_bytes()).map_err(|e| err(name_error(name.as_bytes(), &e)))?;
        let text = TextObject { name, contents: contents.as_bytes().to_vec(), references };
        let mut store = state.store.borrow_mut();
        let path = store.add_text(text)?;
        Ok(Value::string(store_path_string(store.dir.print_path(&path).into_bytes())))
    })
}

/// CppNix's `coerceToPath`: a path, or a string (or a set that coerces to
/// one) holding an absolute path; the string's context is kept.
async fn coerce_to_path(co: &Co, v: Value, what: &str) -> EvalResult<(String, StringContext)> {
    let v = co.force(v).await?;
    let s = match &v {
        Value::Path(p) => NixString::from(&p[..]),
        _ => coerce_to_string(co, v.clone(), CoerceMode::PathSegment).await.map_err(|e| e.with_frame(what, None))?,
    };
    let text = s.to_str_lossy().into_owned();
    if !text.starts_with('/') {
        return Err(err(format!("string '{text}' doesn't represent an absolute path")).with_frame(what, None));
    }
    Ok((text, s.context_set().unwrap_or_default()))
}

fn type_name(kind: FileType) -> &'static str {
    match kind {
        FileType::Regular => "regular",
        FileType::Directory => "directory",
        FileType::Symlink => "symlink",
        FileType::Unknown => "unknown",
    }
}

/// The entries below `root` that `filter` keeps: it is called with each
/// entry's full path and type; a directory it rejects is not entered.
async fn run_filter(co: &Co, root: &Path, filter: &Value) -> EvalResult<BTreeSet<PathBuf>> {
    let mut kept = BTreeSet::new();
    if co.state.io.file_type(root).ok() != Some(FileType::Directory) {
        return Ok(kept);
    }
    let mut todo = vec![root.to_owned()];
    while let Some(dir) = todo.pop() {
        let entries =
            co.state.io.read_dir(&dir).map_err(|e| {
                err(format!("reading directory '{}': {}", dir.display(), crate::io::describe_error(&e)))
            })?;
        for (name, kind) in entries {
            let child = dir.join(String::from_utf8_lossy(&name).into_owned());
            let arg = Value::string(child.to_string_lossy().into_owned());
            let verdict = co.call2(filter.clone(), arg, Value::string(type_name(kind))).await?;
            let keep = args::bool(&co.state, &verdict)
                .map_err(|e| e.with_frame("while evaluating the return value of the path filter function", None))?;
            if keep {
                if kind == FileType::Directory {
                    todo.push(child.clone());
                }
                kept.insert(child);
            }
        }
    }
    Ok(kept)
}

/// CppNix's `addPath`: the store path of `path` (filtered, hashed by
/// `method`), checked against `expected` when given; the source is recorded.
async fn add_path(
    co: &Co,
    name: &str,
    path: &str,
    filter: Option<Value>,
    method: FileIngestionMethod,
    expected: Option<Hash>,
) -> EvalResult<Value> {
    let state = co.state.clone();
    let inner = async {
        let resolved = super::imports::resolve_symlinks(state.io.as_ref(), Path::new(path), false)?;
        if !state.io.path_exists(&resolved) {
            return Err(err(format!("path '{path}' does not exist")));
        }
        let kept = match &filter {
            Some(f) => Some(run_filter(co, &resolved, f).await?),
            None => None,
        };
        let io_error = |e: std::io::Error| err(format!("reading '{path}': {}", crate::io::describe_error(&e)));
        let hash = match method {
            FileIngestionMethod::Recursive => {
                let mut keep = |p: &Path, _| kept.as_ref().is_none_or(|k| k.contains(p));
                nar_hash_path_with(HashAlgo::Sha256, &resolved, &mut keep).map_err(io_error)?.0
            }
            FileIngestionMethod::Flat => hash_file(HashAlgo::Sha256, &resolved).map_err(io_error)?,
        };
        let mut store = state.store.borrow_mut();
        let dir = store.dir.clone();
        let make = |h: &Hash| {
            dir.make_fixed_output_path(method, h, name, &BTreeSet::new(), false)
                .map_err(|e| err(name_error(name.as_bytes(), &e)))
        };
        let store_path = make(&hash)?;
        if let Some(expected) = &expected {
            if make(expected)? != store_path {
                return Err(err(format!("store path mismatch in (possibly filtered) path added from '{path}'")));
            }
        }
        store.add_source(store_path.clone(), SourceObject { name: name.to_owned(), path: resolved, method, kept });
        Ok(Value::string(store_path_string(dir.print_path(&store_path).into_bytes())))
    };
    inner.await.map_err(|e: EvalError| e.with_frame(format!("while adding path '{path}'"), None))
}

fn base_name(path: &str) -> String {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_owned()
}

fn path(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let state = co.state.clone();
        let v = co.force(a[0].clone()).await?;
        let set = args::attrs(&state, &v)
            .map_err(|e| e.with_frame("while evaluating the argument passed to 'builtins.path'", None))?
            .clone();
        let mut path = None;
        let mut name = String::new();
        let mut filter = None;
        let mut method = FileIngestionMethod::Recursive;
        let mut expected = None;
        for attr in set.iter() {
            let at = |e: EvalError| match attr.pos {
                Some(p) => e.at(p),
                None => e,
            };
            match &state.name_bytes(attr.name)[..] {
                b"path" => {
                    let what = "while evaluating the 'path' attribute passed to 'builtins.path'";
                    path = Some(coerce_to_path(&co, attr.value.clone(), what).await.map_err(at)?.0);
                }
                b"name" => {
                    let v = co.force(attr.value.clone()).await?;
                    let what = "while evaluating the `name` attribute passed to builtins.path";
                    name = string_no_context(&state, &v, what).map_err(at)?.to_str_lossy().into_owned();
                }
                b"filter" => {
                    let v = co.force(attr.value.clone()).await?;
                    args::function(&state, &v).map_err(|e| {
                        at(e.with_frame("while evaluating the `filter` parameter passed to builtins.path", None))
                    })?;
                    filter = Some(v);
                }
                b"recursive" => {
                    let v = co.force(attr.value.clone()).await?;
                    let r = args::bool(&state, &v).map_err(|e| {
                        at(e.with_frame("while evaluating the `recursive` attribute passed to builtins.path", None))
                    })?;
                    method = if r { FileIngestionMethod::Recursive } else { FileIngestionMethod::Flat };
                }
                b"sha256" => {
                    let v = co.force(attr.value.clone()).await?;
                    let what = "while evaluating the `sha256` attribute passed to builtins.path";
                    let s = string_no_context(&state, &v, what).map_err(at)?;
                    expected = Some(parse_sha256(&state, &s.to_str_lossy())?);
                }
                other => {
                    return Err(at(err(format!(
                        "unsupported argument '{}' to 'builtins.path'",
                        String::from_utf8_lossy(other)
                    ))))
                }
            }
        }
        let Some(path) = path else {
            return Err(err("missing required 'path' attribute in the first argument to 'builtins.path'"));
        };
        if name.is_empty() {
            name = base_name(&path);
        }
        add_path(&co, &name, &path, filter, method, expected).await
    })
}

/// `newHashAllowEmpty(s, sha256)`.
fn parse_sha256(state: &crate::state::EvalState, s: &str) -> EvalResult<Hash> {
    if s.is_empty() {
        let h = Hash::zero(HashAlgo::Sha256);
        state.io.warn(&format!("warning: found empty hash, assuming '{}'\n", h.to_sri()));
        return Ok(h);
    }
    Hash::parse_any(s, Some(HashAlgo::Sha256)).map_err(|e| err(e.to_string()))
}

fn filter_source(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let what = "while evaluating the second argument (the path to filter) passed to 'builtins.filterSource'";
        let (path, _) = coerce_to_path(&co, a[1].clone(), what).await?;
        let filter = co.force(a[0].clone()).await?;
        args::function(&co.state, &filter)
            .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.filterSource", None))?;
        add_path(&co, &base_name(&path), &path, Some(filter), FileIngestionMethod::Recursive, None).await
    })
}

fn store_path(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let state = co.state.clone();
        if state.settings.globals.pure_eval {
            return Err(err("'builtins.storePath' is not allowed in pure evaluation mode"));
        }
        let what = "while evaluating the first argument passed to 'builtins.storePath'";
        let (mut path, mut context) = coerce_to_path(&co, a[0].clone(), what).await?;
        let dir = state.store.borrow().dir.clone();
        if dir.parse_path(&path).is_err() {
            let resolved = super::imports::resolve_symlinks(state.io.as_ref(), Path::new(&path), false)?;
            path = resolved.to_string_lossy().into_owned();
        }
        let Ok((store_path, _)) = dir.split_store_path(&path) else {
            return Err(err(format!("path '{path}' is not in the Nix store")));
        };
        context.insert(Elem::Opaque(dir.print_path(&store_path).into_bytes().into()));
        Ok(Value::string(NixString::new(path.into_bytes(), Some(context))))
    })
}
