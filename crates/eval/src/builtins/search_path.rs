//! The search path: `findFile`, which `<x>` calls as
//! `__findFile __nixPath "x"`.

use std::path::{Path, PathBuf};

use super::args::{self, err};
use super::json::string_no_context;
use super::{native, PrimOp};
use crate::coerce::{coerce_to_string, CoerceMode};
use crate::error::{ErrorKind, EvalError};
use crate::value::{Gc, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[native("findFile", 2, find_file)];

/// Where `<nix/...>` points when no search path entry has it: files neve
/// carries with it (CppNix's "corepkgs"), read by [`corepkg`].
pub const COREPKGS: &str = "/__corepkgs__";

/// The text of a file under [`COREPKGS`].
pub fn corepkg(path: &[u8]) -> Option<&'static str> {
    match path.strip_prefix(COREPKGS.as_bytes())? {
        b"/fetchurl.nix" => Some(include_str!("../corepkgs/fetchurl.nix")),
        _ => None,
    }
}

/// The rest of `path` after `prefix` when the entry may hold it: the prefix
/// must be a whole number of leading path components (CppNix's
/// `suffixIfPotentialMatch`).
pub fn suffix_if_match<'a>(prefix: &[u8], path: &'a [u8]) -> Option<&'a [u8]> {
    let n = prefix.len();
    let need_separator = n > 0 && n < path.len();
    if need_separator && path[n] != b'/' {
        return None;
    }
    if !path.starts_with(prefix) {
        return None;
    }
    Some(&path[if need_separator { n + 1 } else { n }..])
}

fn find_file(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let state = co.state.clone();
        let list = co.force(a[0].clone()).await?;
        let list = args::list(&state, &list)
            .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.findFile", None))?
            .clone();
        let (prefix_sym, path_sym) = (state.intern("prefix"), state.intern("path"));
        let mut entries = Vec::with_capacity(list.0.len());
        for item in &list.0 {
            let item = co.force(item.clone()).await?;
            let set = args::attrs(&state, &item)
                .map_err(|e| e.with_frame("while evaluating an element of the list passed to builtins.findFile", None))?
                .clone();
            let prefix = match set.get(prefix_sym).cloned() {
                Some(p) => {
                    let p = co.force(p).await?;
                    string_no_context(
                        &state,
                        &p,
                        "while evaluating the `prefix` attribute of an element of the list passed to builtins.findFile",
                    )?
                    .as_bytes()
                    .to_vec()
                }
                None => Vec::new(),
            };
            let path = set
                .get(path_sym)
                .cloned()
                .ok_or_else(|| err("attribute 'path' missing").with_frame("in an element of the __nixPath", None))?;
            let path = coerce_to_string(&co, path, CoerceMode::PathSegment).await.map_err(|e| {
                e.with_frame(
                    "while evaluating the `path` attribute of an element of the list passed to builtins.findFile",
                    None,
                )
            })?;
            entries.push((prefix, path.as_bytes().to_vec()));
        }
        let wanted = co.force(a[1].clone()).await?;
        let wanted =
            string_no_context(&state, &wanted, "while evaluating the second argument passed to builtins.findFile")?;
        let wanted = wanted.as_bytes();

        for (prefix, dir) in &entries {
            let Some(suffix) = suffix_if_match(prefix, wanted) else { continue };
            let Some(root) = resolve_entry(&co, dir) else { continue };
            let mut full = root.into_os_string().into_encoded_bytes();
            if !suffix.is_empty() {
                full.push(b'/');
                full.extend_from_slice(suffix);
            }
            // As CppNix, the result has its links resolved.
            let full = crate::compiler::canon_path(&full);
            let candidate = PathBuf::from(String::from_utf8_lossy(&full).into_owned());
            let resolved = super::imports::resolve_symlinks(state.io.as_ref(), &candidate, false)?;
            if state.io.path_exists(&resolved) {
                return Ok(Value::Path(Gc::new(resolved.into_os_string().into_encoded_bytes())));
            }
        }
        if let Some(rest) = wanted.strip_prefix(b"nix/") {
            let mut path = COREPKGS.as_bytes().to_vec();
            path.push(b'/');
            path.extend_from_slice(rest);
            return Ok(Value::Path(Gc::new(path)));
        }
        let shown = String::from_utf8_lossy(wanted);
        let message = if state.settings.globals.pure_eval {
            format!("cannot look up '<{shown}>' in pure evaluation mode (use '--impure' to override)")
        } else {
            format!("file '{shown}' was not found in the Nix search path (add it using $NIX_PATH or -I)")
        };
        Err(EvalError::new(ErrorKind::Throw, message))
    })
}

/// A search path entry as a directory: relative entries are relative to
/// the working directory; entries that do not exist are skipped with a
/// warning, as CppNix does. URLs (`channel:`, `https://`) need fetchers and
/// are skipped.
fn resolve_entry(co: &Co, entry: &[u8]) -> Option<PathBuf> {
    let text = String::from_utf8_lossy(entry).into_owned();
    if text.starts_with("channel:") || text.contains("://") || text.starts_with("flake:") {
        co.state.io.warn(&format!("warning: Nix search path entry '{text}' cannot be downloaded, ignoring\n"));
        return None;
    }
    let path =
        if Path::new(&text).is_absolute() { PathBuf::from(&text) } else { std::env::current_dir().ok()?.join(&text) };
    let canon = crate::compiler::canon_path(path.as_os_str().as_encoded_bytes());
    let path = PathBuf::from(String::from_utf8_lossy(&canon).into_owned());
    if co.state.io.path_exists(&path) {
        Some(path)
    } else {
        co.state.io.warn(&format!("warning: Nix search path entry '{text}' does not exist, ignoring\n"));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::suffix_if_match;

    #[test]
    fn prefixes_match_whole_components() {
        assert_eq!(suffix_if_match(b"", b"a.nix"), Some(&b"a.nix"[..]));
        assert_eq!(suffix_if_match(b"dir5", b"dir5/c.nix"), Some(&b"c.nix"[..]));
        assert_eq!(suffix_if_match(b"dir5", b"dir5"), Some(&b""[..]));
        assert_eq!(suffix_if_match(b"dir5", b"dir55/c.nix"), None);
        assert_eq!(suffix_if_match(b"nixpkgs", b"nix"), None);
    }
}
