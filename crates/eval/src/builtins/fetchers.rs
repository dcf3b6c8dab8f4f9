//! Fetchers: `fetchurl` and `fetchTarball` of local `file://` URLs (neve has
//! no network), `fetchGit` (in `fetch_git.rs`); `fetchTree`'s argument is
//! checked as CppNix checks it, but it fetches nothing yet.

use super::args::err;
use super::json::string_no_context;
use super::{native, strict, PrimOp};
use crate::coerce::{coerce_to_string, CoerceMode};
use crate::error::{EvalError, EvalResult};
use crate::value::Value;
use crate::vm::{Co, NativeFuture};
use neve_store::{Hash, HashAlgo, HashEncoding};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub(super) static PRIMOPS: &[PrimOp] = &[
    native("fetchTree", 1, fetch_tree),
    native("fetchurl", 1, |co, a| Box::pin(async move { fetch(&co, a[0].clone(), "fetchurl", false).await })),
    native("fetchTarball", 1, |co, a| Box::pin(async move { fetch(&co, a[0].clone(), "fetchTarball", true).await })),
    native("fetchGit", 1, super::fetch_git::fetch_git),
    strict("fetchMercurial", 1, |_, _| Err(not_supported("fetchMercurial"))),
];

/// CppNix's `fetch` (`builtins.fetchurl`, `builtins.fetchTarball`): the
/// arguments are checked as CppNix checks them. neve has no network: only
/// `file://` URLs are fetched, read at evaluation time. `fetchurl` records
/// the file as a flat source; `fetchTarball` unpacks it into a temporary
/// directory, takes its single top-level entry and records that as a
/// recursive source (CppNix's `downloadTarball`).
async fn fetch(co: &Co, arg: Value, who: &str, unpack: bool) -> EvalResult<Value> {
    let state = co.state.clone();
    let arg = co.force(arg).await?;
    let mut url = None;
    // `fetchTarball` names its tree "source" unless told otherwise.
    let mut name = if unpack { "source".to_owned() } else { String::new() };
    let mut name_passed = false;
    let mut expected = None;
    let is_attrs = matches!(arg, Value::Attrs(_));
    if let Value::Attrs(set) = &arg {
        for attr in set.iter() {
            let v = co.force(attr.value.clone()).await?;
            match &state.name_bytes(attr.name)[..] {
                b"url" => url = Some(string_no_context(&state, &v, "while evaluating the url we should fetch")?),
                b"sha256" => {
                    let s =
                        string_no_context(&state, &v, "while evaluating the sha256 of the content we should fetch")?;
                    expected = Some(
                        Hash::parse_allow_empty(&s.to_str_lossy(), Some(HashAlgo::Sha256))
                            .map_err(|e| err(e.to_string()))?,
                    );
                }
                b"name" => {
                    name_passed = true;
                    name = string_no_context(&state, &v, "while evaluating the name of the content we should fetch")?
                        .to_str_lossy()
                        .into_owned();
                }
                other => {
                    return Err(err(format!("unsupported argument '{}' to '{who}'", String::from_utf8_lossy(other))))
                }
            }
        }
    } else {
        url = Some(string_no_context(&state, &arg, "while evaluating the url we should fetch")?);
    }
    let Some(url) = url else { return Err(err("'url' argument required")) };
    let url = url.to_str_lossy().into_owned();
    if name.is_empty() {
        name = url.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_owned();
    }
    if let Err(e) = neve_store::store_path::validate_name(name.as_bytes()) {
        let resolution = if name_passed {
            format!("Please change the value for the 'name' attribute passed to '{who}', so that it can create a valid store path.")
        } else if is_attrs {
            format!("Please add a valid 'name' attribute to the argument for '{who}', so that it can create a valid store path.")
        } else {
            format!("Please pass an attribute set with 'url' and 'name' attributes to '{who}',  so that it can create a valid store path.")
        };
        return Err(err(format!(
            "invalid store path name when fetching URL '{url}': {}. {resolution}",
            super::derivation::name_error(name.as_bytes(), &e)
        )));
    }
    if state.settings.globals.pure_eval && expected.is_none() {
        return Err(err(format!("in pure evaluation mode, '{who}' requires a 'sha256' argument")));
    }
    let Some(file) = url.strip_prefix("file://") else {
        if !url.contains("://") {
            return Err(err(format!("unable to download '{url}': URL using bad/illegal format or missing URL (3)")));
        }
        return Err(err(format!("unable to download '{url}': neve has no network and fetches only 'file://' URLs")));
    };
    let bytes = state.io.read_file(std::path::Path::new(file)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => err(format!("unable to download '{url}': Couldn't read a file:// file (37)")),
        _ => err(format!("unable to download '{url}': {}", crate::io::describe_error(&e))),
    })?;
    let mismatch = |hash: &Hash, expected: &Hash| {
        err(format!(
            "hash mismatch in file downloaded from '{url}':\n  specified: {}\n  got:       {}",
            expected.to_string_as(HashEncoding::Base32, true),
            hash.to_string_as(HashEncoding::Base32, true)
        ))
    };
    if unpack {
        let tmp = super::archive::temp_dir().map_err(|e| err(format!("creating a temporary directory: {e}")))?;
        super::archive::unpack_tar(&bytes, tmp.path()).map_err(|e| err(format!("unpacking tarball '{url}': {e}")))?;
        let members = std::fs::read_dir(tmp.path())
            .and_then(|d| d.collect::<Result<Vec<_>, _>>())
            .map_err(|e| err(format!("reading unpacked tarball '{url}': {e}")))?;
        if members.len() != 1 {
            return Err(err(format!("tarball '{url}' contains an unexpected number of top-level files")));
        }
        let top = members[0].path();
        let (path, hash) = record_tree(&state, &name, Some(tmp), top, None)?;
        if let Some(expected) = expected {
            if expected != hash {
                return Err(mismatch(&hash, &expected));
            }
        }
        return Ok(Value::string(crate::store::store_path_string(path)));
    }
    let hash = neve_store::hash::hash_bytes(HashAlgo::Sha256, &bytes);
    if let Some(expected) = expected {
        if expected != hash {
            return Err(mismatch(&hash, &expected));
        }
    }
    let method = neve_store::FileIngestionMethod::Flat;
    let mut store = state.store.borrow_mut();
    let path = store
        .dir
        .make_fixed_output_path(method, &hash, &name, &Default::default(), false)
        .map_err(|e| err(e.to_string()))?;
    store.add_source(
        path.clone(),
        crate::store::SourceObject { name, path: std::path::PathBuf::from(file), method, kept: None },
    );
    Ok(Value::string(crate::store::store_path_string(store.dir.print_path(&path).into_bytes())))
}

/// Records the tree `root` (inside `tmp`, or `tmp` itself, when given), restricted to
/// `kept` when given, as a source named `name` ingested recursively; gives
/// its printed store path and NAR hash. The store record keeps `tmp`.
pub(super) fn record_tree(
    state: &crate::state::EvalState,
    name: &str,
    tmp: Option<tempfile::TempDir>,
    root: PathBuf,
    kept: Option<BTreeSet<PathBuf>>,
) -> EvalResult<(Vec<u8>, Hash)> {
    let mut keep = |p: &Path, _| kept.as_ref().is_none_or(|k| k.contains(p));
    let (hash, _) = neve_store::nar::nar_hash_path_with(HashAlgo::Sha256, &root, &mut keep)
        .map_err(|e| err(format!("reading '{}': {e}", root.display())))?;
    let method = neve_store::FileIngestionMethod::Recursive;
    let mut store = state.store.borrow_mut();
    let path = store
        .dir
        .make_fixed_output_path(method, &hash, name, &BTreeSet::new(), false)
        .map_err(|e| err(super::derivation::name_error(name.as_bytes(), &e)))?;
    store.add_source(path.clone(), crate::store::SourceObject { name: name.to_owned(), path: root, method, kept });
    if let Some(tmp) = tmp {
        store.keep_temp_dir(tmp);
    }
    Ok((store.dir.print_path(&path).into_bytes(), hash))
}

fn not_supported(name: &str) -> EvalError {
    err(format!("'builtins.{name}' is not yet supported by neve"))
}

fn not_yet() -> EvalError {
    err("'builtins.fetchTree' is not yet supported by neve: it needs the store")
}

fn fetch_tree(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let fetcher = "fetchTree";
        let arg = co.force(a[0].clone()).await?;
        let Value::Attrs(set) = &arg else {
            coerce_to_string(&co, arg.clone(), CoerceMode::PathSegment).await.map_err(|e| {
                e.with_frame(format!("while evaluating the first argument passed to '{fetcher}'"), None)
            })?;
            return Err(not_yet());
        };
        let type_sym = co.state.sym.type_;
        match set.get(type_sym).cloned() {
            Some(t) => {
                let t = co.force(t).await?;
                super::json::string_no_context(
                    &co.state,
                    &t,
                    &format!("while evaluating the `type` argument passed to '{fetcher}'"),
                )?;
            }
            None => return Err(err(format!("argument 'type' is missing in call to '{fetcher}'"))),
        }
        for attr in set.iter() {
            if attr.name == type_sym {
                continue;
            }
            let name = co.state.name(attr.name);
            match co.force(attr.value.clone()).await? {
                v @ (Value::String(_) | Value::Path(_)) => {
                    coerce_to_string(&co, v, CoerceMode::PathSegment).await?;
                }
                Value::Bool(_) => {}
                Value::Int(i) if i < 0 => {
                    return Err(err(format!("negative value given for '{fetcher}' argument '{name}': {i}")))
                }
                Value::Int(_) => {}
                _ if name == "publicKeys" => {}
                other => {
                    return Err(err(format!(
                        "argument '{name}' to '{fetcher}' is {} while a string, Boolean or integer is expected",
                        other.type_description()
                    )))
                }
            }
        }
        if set.get(co.state.sym.name).is_some() {
            return Err(err(format!("argument 'name' isn’t supported in call to '{fetcher}'")));
        }
        Err(not_yet())
    })
}
