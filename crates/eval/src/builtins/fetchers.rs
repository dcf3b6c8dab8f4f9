//! Fetchers: `fetchurl` and `fetchTarball` of local `file://` URLs (neve has
//! no network), `fetchGit` (in `fetch_git.rs`), and `fetchTree` (its
//! argument checked as CppNix checks it) of types "tarball", "git", "path".

use super::args::err;
use super::fetch_git::{fix_uri, Arg};
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
    let mismatch = |hash: &Hash, expected: &Hash| {
        err(format!(
            "hash mismatch in file downloaded from '{url}':\n  specified: {}\n  got:       {}",
            expected.to_string_as(HashEncoding::Base32, true),
            hash.to_string_as(HashEncoding::Base32, true)
        ))
    };
    if unpack {
        let (path, hash) = tarball_tree(&state, &url, &name)?;
        if let Some(expected) = expected {
            if expected != hash {
                return Err(mismatch(&hash, &expected));
            }
        }
        return Ok(Value::string(crate::store::store_path_string(path)));
    }
    let (file, bytes) = read_url(&state, &url)?;
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

/// The local file a URL names, and its contents (CppNix's `downloadFile`,
/// for `file://` URLs only).
fn read_url<'u>(state: &crate::state::EvalState, url: &'u str) -> EvalResult<(&'u str, Vec<u8>)> {
    let Some(file) = url.strip_prefix("file://") else {
        if !url.contains("://") {
            return Err(err(format!("unable to download '{url}': URL using bad/illegal format or missing URL (3)")));
        }
        return Err(err(format!("unable to download '{url}': neve has no network and fetches only 'file://' URLs")));
    };
    let bytes = state.io.read_file(Path::new(file)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => err(format!("unable to download '{url}': Couldn't read a file:// file (37)")),
        _ => err(format!("unable to download '{url}': {}", crate::io::describe_error(&e))),
    })?;
    Ok((file, bytes))
}

/// CppNix's `downloadTarball`: the tarball at `url` unpacked, its single
/// top-level entry recorded as a source named `name`; its printed store path
/// and NAR hash.
pub(super) fn tarball_tree(state: &crate::state::EvalState, url: &str, name: &str) -> EvalResult<(Vec<u8>, Hash)> {
    let (_, bytes) = read_url(state, url)?;
    let tmp = super::archive::temp_dir().map_err(|e| err(format!("creating a temporary directory: {e}")))?;
    super::archive::unpack_tar(&bytes, tmp.path()).map_err(|e| err(format!("unpacking tarball '{url}': {e}")))?;
    let members = std::fs::read_dir(tmp.path())
        .and_then(|d| d.collect::<Result<Vec<_>, _>>())
        .map_err(|e| err(format!("reading unpacked tarball '{url}': {e}")))?;
    if members.len() != 1 {
        return Err(err(format!("tarball '{url}' contains an unexpected number of top-level files")));
    }
    let top = members[0].path();
    record_tree(state, name, Some(tmp), top, None)
}

/// A local `file://` URL recorded as a flat source named `name` (a flake
/// input of type "file"); its printed store path and NAR hash.
pub(super) fn file_source(state: &crate::state::EvalState, url: &str, name: &str) -> EvalResult<(Vec<u8>, Hash)> {
    let (file, bytes) = read_url(state, url)?;
    let hash = neve_store::hash::hash_bytes(HashAlgo::Sha256, &bytes);
    let (nar_hash, _) =
        neve_store::nar::nar_hash_path_with(HashAlgo::Sha256, Path::new(file), &mut neve_store::nar::keep_all)
            .map_err(|e| err(format!("reading '{file}': {e}")))?;
    let method = neve_store::FileIngestionMethod::Flat;
    let mut store = state.store.borrow_mut();
    let path = store
        .dir
        .make_fixed_output_path(method, &hash, name, &Default::default(), false)
        .map_err(|e| err(e.to_string()))?;
    store.add_source(
        path.clone(),
        crate::store::SourceObject { name: name.to_owned(), path: PathBuf::from(file), method, kept: None },
    );
    Ok((store.dir.print_path(&path).into_bytes(), nar_hash))
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

/// `fetchTree` of a URL (CppNix's `Input::fromURL`): `git+` URLs and
/// tarballs (by their extension) of local files.
fn tree_of_url(co: &Co, url: String) -> EvalResult<Value> {
    if let Some(git) = url.strip_prefix("git+") {
        if !git.contains('?') {
            let args = vec![("url".to_owned(), Arg::Str(git.to_owned()))];
            return super::fetch_git::fetch(co, super::fetch_git::parse_input(args)?, false);
        }
    }
    let scheme = url.split("://").next().unwrap_or_default();
    let tarball = [".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"];
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if matches!(scheme, "file" | "http" | "https") && tarball.iter().any(|s| path.ends_with(s)) {
        return tarball_attrs(co, &url, "source", None);
    }
    Err(err(format!("input '{url}' is unsupported")))
}

/// `fetchTree` of a tarball: `outPath` and `narHash`, checked against
/// `expected` when given.
fn tarball_attrs(co: &Co, url: &str, name: &str, expected: Option<Hash>) -> EvalResult<Value> {
    if co.state.settings.globals.pure_eval {
        return Err(err("in pure evaluation mode, 'fetchTree' requires a locked input"));
    }
    let (path, hash) = tarball_tree(&co.state, url, name)?;
    if let Some(e) = &expected {
        check_nar_hash(&format!("{url}?narHash={}", e.to_sri()), &path, &hash, expected)?;
    }
    Ok(super::fetch_git::tree_attrs(co, path, &hash, None, None, None, None))
}

/// CppNix's check of a given `narHash` against the fetched tree's; `input`
/// is the input as CppNix shows it.
pub(super) fn check_nar_hash(input: &str, path: &[u8], hash: &Hash, expected: Option<Hash>) -> EvalResult<()> {
    match expected {
        Some(e) if e != *hash => Err(err(format!(
            "NAR hash mismatch in input '{input}' ({}), expected '{}', got '{}'",
            String::from_utf8_lossy(path),
            e.to_sri(),
            hash.to_sri()
        ))),
        _ => Ok(()),
    }
}

/// The attributes as CppNix shows an unsupported input (JSON, sorted).
fn input_json(ty: &str, args: &[(String, Arg)]) -> String {
    let mut fields: Vec<(String, String)> = args
        .iter()
        .map(|(n, a)| {
            let v = match a {
                Arg::Str(s) => super::json::quote(s),
                Arg::Bool(b) => b.to_string(),
                Arg::Int(i) => i.to_string(),
            };
            (n.clone(), v)
        })
        .collect();
    fields.push(("type".to_owned(), super::json::quote(ty)));
    fields.sort();
    let body: Vec<String> = fields.iter().map(|(n, v)| format!("{}:{v}", super::json::quote(n))).collect();
    format!("{{{}}}", body.join(","))
}

/// `s` as a JSON string.
/// `fetchTree` of an attribute set, by its `type`.
async fn tree_of_attrs(co: &Co, set: &crate::value::Attrs) -> EvalResult<Value> {
    let state = co.state.clone();
    let ty = co.force(set.get(state.sym.type_).cloned().expect("checked")).await?;
    let ty = string_no_context(&state, &ty, "while evaluating the `type` argument passed to 'fetchTree'")?;
    let ty = ty.to_str_lossy().into_owned();
    let mut args = super::fetch_git::set_args(co, set).await?;
    for (name, a) in &mut args {
        if let (true, Arg::Str(s)) = (name == "url", &mut *a) {
            *s = fix_uri(std::mem::take(s));
        }
    }
    let nar_hash = |args: &[(String, Arg)]| -> EvalResult<Option<Hash>> {
        match args.iter().find(|(n, _)| n == "narHash") {
            Some((_, Arg::Str(s))) => Ok(Some(Hash::parse_any_prefixed(s).map_err(|e| err(e.to_string()))?)),
            Some(_) => Err(err("attribute 'narHash' should be a string")),
            None => Ok(None),
        }
    };
    match ty.as_str() {
        "git" => {
            let input = super::fetch_git::parse_input(args)?;
            super::fetch_git::fetch(co, input, false)
        }
        "tarball" => {
            let mut url = None;
            for (name, a) in &args {
                match (name.as_str(), a) {
                    ("url", Arg::Str(s)) => url = Some(s.clone()),
                    ("url", _) => return Err(err("attribute 'url' should be a string")),
                    ("narHash", _) => {}
                    _ => return Err(err(format!("unsupported tarball input attribute '{name}'"))),
                }
            }
            let url = url.ok_or_else(|| err("attribute 'url' is missing"))?;
            tarball_attrs(co, &url, "source", nar_hash(&args)?)
        }
        "path" => {
            let mut path = None;
            for (name, a) in &args {
                match (name.as_str(), a) {
                    ("path", Arg::Str(s)) => path = Some(s.clone()),
                    ("path", _) => return Err(err("attribute 'path' should be a string")),
                    ("rev" | "revCount" | "lastModified" | "narHash", _) => {}
                    _ => return Err(err(format!("unsupported path input attribute '{name}'"))),
                }
            }
            let path = path.ok_or_else(|| err("attribute 'path' is missing"))?;
            if !path.starts_with('/') {
                return Err(err(format!("cannot fetch input 'path:{path}' because it uses a relative path")));
            }
            if state.settings.globals.pure_eval {
                return Err(err("in pure evaluation mode, 'fetchTree' requires a locked input"));
            }
            let root = PathBuf::from(&path);
            let mtime = newest_mtime(&root).map_err(|e| err(format!("getting status of '{path}': {e}")))?;
            let (out, hash) = record_tree(&state, "source", None, root, None)?;
            if let Some(e) = nar_hash(&args)? {
                check_nar_hash(&format!("path:{path}?narHash={}", e.to_sri()), &out, &hash, Some(e))?;
            }
            Ok(super::fetch_git::tree_attrs(co, out, &hash, None, None, None, Some(mtime)))
        }
        _ => Err(err(format!("cannot fetch unsupported input '{}'", input_json(&ty, &args)))),
    }
}

/// The newest modification time in a tree (CppNix's
/// `dumpPathAndGetMtime`), symbolic links not followed.
pub(super) fn newest_mtime(path: &Path) -> std::io::Result<i64> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(path)?;
    let mut newest = meta.mtime();
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            newest = newest.max(newest_mtime(&entry?.path())?);
        }
    }
    Ok(newest)
}

fn fetch_tree(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let fetcher = "fetchTree";
        let arg = co.force(a[0].clone()).await?;
        let Value::Attrs(set) = &arg else {
            let url = coerce_to_string(&co, arg.clone(), CoerceMode::PathSegment).await.map_err(|e| {
                e.with_frame(format!("while evaluating the first argument passed to '{fetcher}'"), None)
            })?;
            let url = url.to_str_lossy().into_owned();
            // `file:relative` parses as a URL, but a tarball needs an
            // absolute path.
            if url.strip_prefix("file:").is_some_and(|rest| !rest.starts_with('/')) {
                return Err(err(format!(
                    "tarball '{url}' must use an absolute path. The 'file' scheme does not support relative paths."
                ))
                .with_frame(format!("while fetching the input '{url}'"), None));
            }
            return tree_of_url(&co, fix_uri(url));
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
        tree_of_attrs(&co, set).await
    })
}
