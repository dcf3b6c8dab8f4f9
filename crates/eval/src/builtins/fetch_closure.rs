//! `builtins.fetchClosure` (experimental feature `fetch-closure`), as
//! current Nix's `prim_fetchClosure`:
//! `fetchClosure { fromStore; fromPath; toPath?; inputAddressed? }`.
//!
//! Three ways, with current Nix's argument checks and messages:
//!
//! - no `toPath`, no `inputAddressed`: the closure of `fromPath` is taken
//!   from the cache and `fromPath` must be content-addressed;
//! - `inputAddressed = true`: the same, and `fromPath` must be
//!   input-addressed (then `toPath` is not allowed);
//! - `toPath` (a store path, or `""` to be told the right one): the closure
//!   is rewritten into content-addressed form (Nix's
//!   `makeContentAddressed`, in `neve_store::binary_cache`) and the result
//!   must be `toPath`.
//!
//! (CppNix 2.8's rules were looser: without `toPath` any path was accepted
//! outside pure mode, there was no `inputAddressed`, and its messages were
//! worded differently. neve follows current Nix.)
//!
//! Stores: as in CppNix, `fromStore` must be an `http://` or `https://`
//! URL, or a `file://` one when the environment has `_NIX_IN_TEST`; neve
//! has no network, so it reads `file://` binary caches only (a directory
//! with `nix-cache-info`, `<hash>.narinfo` files and the NARs they name,
//! compressed with xz, bzip2, gzip or not at all) and says so for the
//! others.
//!
//! What is fetched is checked as a store checks an import (NAR hash, NAR
//! size, content address) and recorded in the evaluation's store record
//! (`EvalStore::add_nar`), not written: `neve instantiate` writes it with
//! the closure of the derivations that use it (through the daemon, which
//! checks signatures of input-addressed paths; a `--store-dir` directory
//! has no keys to check against). Unlike CppNix, which first looks for the
//! paths in the store it writes to, neve always reads the cache: a path
//! that is only in the local store and not in the cache is an error, and a
//! `toPath` given is always checked by rewriting. neve also checks the NAR
//! hashes of what it rewrites, where CppNix trusts the cache.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::PathBuf;

use neve_store::binary_cache::{self, ClosureObject, ContentAddress, NarInfo};
use neve_store::daemon::PathInfo;
use neve_store::hash::hash_bytes;
use neve_store::{HashAlgo, StoreDir, StorePath};

use super::args::{err, force_attrs, force_string_no_ctx_at};
use super::{native, PrimOp};
use crate::coerce::{coerce_to_string_in, CoerceMode};
use crate::error::{EvalError, EvalResult};
use crate::source::Pos;
use crate::state::EvalState;
use crate::store::{store_path_string, NarObject, StoreObject};
use crate::value::Value;
use crate::vm::{type_error, Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[native("fetchClosure", 1, fetch_closure)];

/// CppNix's `coerceToStorePath`: the string (paths copied to the store,
/// except a path literal already inside it) must be a store path.
async fn coerce_to_store_path(co: &Co, v: Value, frame: &str, pos: Option<Pos>) -> EvalResult<StorePath> {
    let v = co.force(v).await?;
    let dir = co.state.store.borrow().dir.clone();
    if let Value::Path(p) = &v {
        if let Ok(path) = dir.parse_path(&String::from_utf8_lossy(p)) {
            return Ok(path);
        }
    }
    let s = coerce_to_string_in(co, v, CoerceMode::Interpolation, frame, pos).await?;
    let text = s.to_str_lossy();
    dir.parse_path(&text).map_err(|_| err(format!("path '{text}' is not in the Nix store")).with_frame(frame, pos))
}

fn fetch_closure(co: Co, args: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let set = force_attrs(&co, &args[0], "while evaluating the argument passed to builtins.fetchClosure").await?;
        let state = co.state.clone();
        let mut from_store: Option<String> = None;
        let mut from_path: Option<StorePath> = None;
        // `Some(None)`: `toPath = ""`, asking to be told the path.
        let mut to_path: Option<Option<StorePath>> = None;
        let mut input_addressed: Option<bool> = None;
        for attr in set.iter() {
            let name = state.name(attr.name);
            let hint = format!("while evaluating the attribute '{name}' passed to builtins.fetchClosure");
            match name.as_str() {
                "fromPath" => from_path = Some(coerce_to_store_path(&co, attr.value.clone(), &hint, attr.pos).await?),
                "toPath" => {
                    let v = co.force(attr.value.clone()).await?;
                    to_path = Some(match &v {
                        Value::String(s) if s.as_bytes().is_empty() => None,
                        _ => Some(coerce_to_store_path(&co, v, &hint, attr.pos).await?),
                    });
                }
                "fromStore" => {
                    let s = force_string_no_ctx_at(&co, &attr.value, &hint, attr.pos).await?;
                    from_store = Some(s.to_str_lossy().into_owned());
                }
                "inputAddressed" => {
                    let v = co.force(attr.value.clone()).await.map_err(|e| e.with_frame(&*hint, attr.pos))?;
                    match v {
                        Value::Bool(b) => input_addressed = Some(b),
                        other => {
                            return Err(type_error(&state, "a Boolean", &other)
                                .at_opt(attr.pos)
                                .with_frame(&*hint, attr.pos))
                        }
                    }
                }
                _ => return Err(err(format!("attribute '{name}' isn't supported in call to 'fetchClosure'"))),
            }
        }
        let Some(from_path) = from_path else {
            return Err(err("attribute 'fromPath' is missing in call to 'fetchClosure'"));
        };
        let input_addressed = input_addressed.unwrap_or(false);
        if input_addressed && to_path.is_some() {
            return Err(err(
                "attribute 'inputAddressed' is set to true, but 'toPath' is also set. Please remove one of them",
            ));
        }
        let Some(url) = from_store else {
            return Err(err("attribute 'fromStore' is missing in call to 'fetchClosure'"));
        };
        let cache = open_store(&state, &url)?;
        let dir = state.store.borrow().dir.clone();
        let result = match to_path {
            Some(to_path) => with_rewrite(&state, &cache, &from_path, to_path)?,
            None => {
                if !is_recorded(&state, &from_path) {
                    copy_closure(&state, &cache, &from_path)?;
                }
                let ca = is_content_addressed(&state, &from_path);
                let shown = dir.print_path(&from_path);
                if input_addressed && ca {
                    return Err(err(format!(
                        "The store object referred to by 'fromPath' at '{shown}' is not input-addressed, but \
                         'inputAddressed' is set to 'true'.\n\nRemove the 'inputAddressed' attribute (it defaults \
                         to 'false') to expect 'fromPath' to be content-addressed"
                    )));
                }
                if !input_addressed && !ca {
                    return Err(err(format!(
                        "The 'fromPath' value '{shown}' is input-addressed, but 'inputAddressed' is set to 'false' \
                         (default).\n\nIf you do intend to fetch an input-addressed store path, add\n\n    \
                         inputAddressed = true;\n\nto the 'fetchClosure' arguments.\n\nNote that to ensure \
                         authenticity input-addressed store paths, users must configure a trusted binary cache \
                         public key on their systems. This is not needed for content-addressed paths."
                    )));
                }
                from_path
            }
        };
        Ok(Value::string(store_path_string(dir.print_path(&result).into_bytes())))
    })
}

/// The `toPath` case: rewrite into content-addressed form unless `toPath`
/// is already recorded, and check the result.
fn with_rewrite(state: &EvalState, cache: &Cache, from: &StorePath, to: Option<StorePath>) -> EvalResult<StorePath> {
    let dir = state.store.borrow().dir.clone();
    let to = match to {
        Some(to) if is_recorded(state, &to) => to,
        to => {
            let rewritten = make_content_addressed(state, cache, from)?;
            let (from_s, got) = (dir.print_path(from), dir.print_path(&rewritten));
            match to {
                Some(to) if to != rewritten => {
                    return Err(err(format!(
                        "rewriting '{from_s}' to content-addressed form yielded '{got}', while '{}' was expected",
                        dir.print_path(&to)
                    )))
                }
                Some(to) => to,
                None => {
                    return Err(err(format!(
                        "rewriting '{from_s}' to content-addressed form yielded '{got}'\nUse this value for the \
                         'toPath' attribute passed to 'fetchClosure'"
                    )))
                }
            }
        }
    };
    if !is_content_addressed(state, &to) {
        return Err(err(format!(
            "The 'toPath' value '{}' is input-addressed, so it can't possibly be the result of rewriting to a \
             content-addressed path.\n\nSet 'toPath' to an empty string to make Nix report the correct \
             content-addressed path.",
            dir.print_path(&to)
        )));
    }
    Ok(to)
}

/// Whether the evaluation's store record holds the path (CppNix asks the
/// store it writes to whether the path is valid).
fn is_recorded(state: &EvalState, path: &StorePath) -> bool {
    state.store.borrow().object(path).is_some()
}

/// Whether a recorded path is content-addressed: derivations, `toFile`
/// texts and sources are; a fetched object is when its path follows from
/// its content address.
fn is_content_addressed(state: &EvalState, path: &StorePath) -> bool {
    let store = state.store.borrow();
    match store.object(path) {
        Some(StoreObject::Nar(n)) => binary_cache::is_content_addressed(&store.dir, &n.info),
        Some(_) => true,
        None => false,
    }
}

/// A `file://` binary cache.
struct Cache {
    url: String,
    root: PathBuf,
}

/// CppNix's checks of the store URL, then the cache it names.
fn open_store(state: &EvalState, url: &str) -> EvalResult<Cache> {
    let scheme = url.split_once("://").map(|(s, _)| s);
    let in_test = state.io.get_env("_NIX_IN_TEST").is_some();
    match scheme {
        Some("http" | "https") => {}
        Some("file") if in_test => {}
        _ => return Err(err("'fetchClosure' only supports http:// and https:// stores")),
    }
    if url.contains('?') {
        return Err(err(format!("'fetchClosure' does not support URL query parameters (in '{url}')")));
    }
    let Some(path) = url.strip_prefix("file://") else {
        return Err(err(format!(
            "cannot fetch from '{url}': neve has no network access and reads file:// binary caches only"
        )));
    };
    if path.is_empty() {
        return Err(err("local binary cache path must not be empty"));
    }
    let cache = Cache { url: url.to_owned(), root: PathBuf::from(path) };
    if let Ok(info) = state.io.read_file(&cache.root.join("nix-cache-info")) {
        let dir = state.store.borrow().dir.clone();
        for line in String::from_utf8_lossy(&info).lines() {
            if let Some(("StoreDir", value)) = line.split_once(':') {
                let value = value.trim();
                if value != dir.as_str() {
                    return Err(err(format!(
                        "binary cache '{url}' is for Nix stores with prefix '{value}', not '{}'",
                        dir.as_str()
                    )));
                }
            }
        }
    }
    Ok(cache)
}

impl Cache {
    fn read(&self, state: &EvalState, file: &str) -> EvalResult<Option<Vec<u8>>> {
        let path = self.root.join(file);
        match state.io.read_file(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(err(format!("reading '{}': {}", path.display(), crate::io::describe_error(&e)))),
        }
    }

    /// The path's `.narinfo`; CppNix's error when the cache lacks it.
    fn query(&self, state: &EvalState, dir: &StoreDir, path: &StorePath) -> EvalResult<NarInfo> {
        let file = format!("{}.narinfo", path.hash_part());
        let Some(bytes) = self.read(state, &file)? else {
            return Err(err(format!("path '{}' is not valid", dir.print_path(path))));
        };
        let info = NarInfo::parse(dir, &String::from_utf8_lossy(&bytes), &file).map_err(|e| err(e.to_string()))?;
        if info.path != *path {
            return Err(err(format!(
                "NAR info file '{file}' is for '{}', not '{}'",
                dir.print_path(&info.path),
                dir.print_path(path)
            )));
        }
        Ok(info)
    }

    /// The NAR of a path, decompressed and checked against its narinfo as a
    /// store checks an import.
    fn nar(&self, state: &EvalState, dir: &StoreDir, info: &NarInfo) -> EvalResult<Vec<u8>> {
        let Some(compressed) = self.read(state, &info.url)? else {
            return Err(err(format!("file '{}' does not exist in binary cache '{}'", info.url, self.url)));
        };
        let shown = dir.print_path(&info.path);
        let mut nar = Vec::new();
        let decoded = match info.compression.as_str() {
            "none" => {
                nar = compressed;
                Ok(0)
            }
            "xz" => xz2::read::XzDecoder::new_multi_decoder(&compressed[..]).read_to_end(&mut nar),
            "bzip2" => bzip2::read::MultiBzDecoder::new(&compressed[..]).read_to_end(&mut nar),
            "gzip" => flate2::read::MultiGzDecoder::new(&compressed[..]).read_to_end(&mut nar),
            other => {
                return Err(err(format!(
                    "cannot decompress the NAR of '{shown}': neve does not support the compression method '{other}'"
                )))
            }
        };
        decoded.map_err(|e| err(format!("decompressing the NAR of '{shown}': {e}")))?;
        let got = hash_bytes(HashAlgo::Sha256, &nar);
        if got != info.nar_hash {
            return Err(err(format!(
                "hash mismatch importing path '{shown}';\n  specified: {}\n  got:       {}",
                info.nar_hash.to_sri(),
                got.to_sri()
            )));
        }
        if nar.len() as u64 != info.nar_size {
            return Err(err(format!(
                "size mismatch importing path '{shown}';\n  specified: {}\n  got:       {}",
                info.nar_size,
                nar.len()
            )));
        }
        if let Some(ca) = info.ca.as_deref() {
            let ca = ContentAddress::parse(ca).map_err(err)?;
            match binary_cache::check_content_address(&info.path, &ca, &nar) {
                Ok(()) => {}
                Err(Ok(actual)) => {
                    return Err(err(format!(
                        "ca hash mismatch importing path '{shown}';\n  specified: {}\n  got:       {actual}",
                        ca.hash
                    )))
                }
                Err(Err(why)) => return Err(err(format!("checking the content address of '{shown}': {why}"))),
            }
        }
        Ok(nar)
    }

    /// The narinfo of every path in the closure of `root`, references
    /// before the paths that refer to them.
    fn closure(&self, state: &EvalState, dir: &StoreDir, root: &StorePath) -> EvalResult<Vec<NarInfo>> {
        let mut infos: BTreeMap<StorePath, NarInfo> = BTreeMap::new();
        let mut todo = vec![root.clone()];
        while let Some(path) = todo.pop() {
            if infos.contains_key(&path) {
                continue;
            }
            let info = self.query(state, dir, &path)?;
            todo.extend(info.references.iter().filter(|r| !infos.contains_key(*r)).cloned());
            infos.insert(path, info);
        }
        // References first (depth-first, the self-reference ignored).
        let mut order = Vec::with_capacity(infos.len());
        let mut done: BTreeSet<StorePath> = BTreeSet::new();
        let mut stack: Vec<(StorePath, bool)> = vec![(root.clone(), false)];
        while let Some((path, expanded)) = stack.pop() {
            if done.contains(&path) {
                continue;
            }
            if expanded {
                done.insert(path.clone());
                order.push(infos[&path].clone());
                continue;
            }
            stack.push((path.clone(), true));
            for r in infos[&path].references.iter().rev() {
                if *r != path && !done.contains(r) {
                    stack.push((r.clone(), false));
                }
            }
        }
        Ok(order)
    }
}

/// Keeps NARs in a temporary directory owned by the store record.
struct NarFiles {
    dir: tempfile::TempDir,
}

impl NarFiles {
    fn new() -> EvalResult<NarFiles> {
        let dir = tempfile::Builder::new()
            .prefix("neve-fetch-closure-")
            .tempdir()
            .map_err(|e| err(format!("creating a temporary directory: {e}")))?;
        Ok(NarFiles { dir })
    }

    fn record(&self, state: &EvalState, info: PathInfo, nar: &[u8], check_sigs: bool) -> EvalResult<()> {
        let file = self.dir.path().join(format!("{}.nar", info.path.hash_part()));
        std::fs::write(&file, nar).map_err(|e| err(format!("writing '{}': {e}", file.display())))?;
        state.store.borrow_mut().add_nar(NarObject { info, nar: file, check_sigs });
        Ok(())
    }

    fn keep(self, state: &EvalState) {
        state.store.borrow_mut().keep_temp_dir(self.dir);
    }
}

/// CppNix's `copyClosure` from the cache into the store the evaluation
/// writes to: every path not recorded yet is fetched, checked and recorded.
fn copy_closure(state: &EvalState, cache: &Cache, root: &StorePath) -> EvalResult<()> {
    let dir = state.store.borrow().dir.clone();
    let closure = cache.closure(state, &dir, root)?;
    let files = NarFiles::new()?;
    for info in closure {
        if is_recorded(state, &info.path) {
            continue;
        }
        let nar = cache.nar(state, &dir, &info)?;
        files.record(state, info.path_info(), &nar, true)?;
    }
    files.keep(state);
    Ok(())
}

/// Nix's `makeContentAddressed` from the cache into the evaluation's store:
/// gives the path `root` was rewritten to.
fn make_content_addressed(state: &EvalState, cache: &Cache, root: &StorePath) -> EvalResult<StorePath> {
    let dir = state.store.borrow().dir.clone();
    let closure = cache.closure(state, &dir, root)?;
    let nars = closure.iter().map(|info| cache.nar(state, &dir, info)).collect::<EvalResult<Vec<_>>>()?;
    let objects: Vec<ClosureObject<'_>> = closure
        .iter()
        .zip(&nars)
        .map(|(info, nar)| ClosureObject { path: info.path.clone(), references: &info.references, nar })
        .collect();
    let rewritten = binary_cache::make_content_addressed(&dir, &objects);
    let files = NarFiles::new()?;
    let mut result = None;
    for r in rewritten {
        state.io.warn(&format!("rewriting '{}' to '{}'\n", dir.print_path(&r.from), dir.print_path(&r.info.path)));
        if r.from == *root {
            result = Some(r.info.path.clone());
        }
        if !is_recorded(state, &r.info.path) {
            files.record(state, r.info, &r.nar, false)?;
        }
    }
    files.keep(state);
    result.ok_or_else(|| EvalError::eval("rewriting gave no path for 'fromPath'"))
}
