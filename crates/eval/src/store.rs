//! The evaluator's view of the store: the store paths of sources that code
//! interpolates (`"${./file}"`). During evaluation nothing is written; the
//! path is computed as `nix-store --add` would, from the NAR hash.

use std::collections::BTreeSet;
use std::path::Path;

use neve_store::{HashAlgo, StoreDir};

use crate::error::{EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::{NixString, StringContext, StringContextElem};

/// `path` as a store path string (with its context), as CppNix's
/// `copyPathToStore` gives it.
pub fn copy_path_to_store(state: &EvalState, path: &[u8]) -> EvalResult<NixString> {
    if let Some(done) = state.store_paths.borrow().get(path) {
        return Ok(with_context(done.clone()));
    }
    let text = String::from_utf8_lossy(path).into_owned();
    let fs_path = Path::new(&text);
    if !state.io.path_exists(fs_path) {
        return Err(EvalError::eval(format!("path '{text}' does not exist")));
    }
    let name = fs_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (hash, _) = neve_store::nar::nar_hash_path_with(HashAlgo::Sha256, fs_path, &mut neve_store::nar::keep_all)
        .map_err(|e| EvalError::eval(format!("reading '{text}': {e}")))?;
    let store = StoreDir::new("/nix/store");
    let store_path = store
        .make_source_path(&name, &hash, &BTreeSet::new(), false)
        .map_err(|e| EvalError::eval(format!("invalid store path name for '{text}': {e}")))?;
    let printed = store.print_path(&store_path).into_bytes();
    state.store_paths.borrow_mut().insert(path.to_vec(), printed.clone());
    Ok(with_context(printed))
}

fn with_context(store_path: Vec<u8>) -> NixString {
    let mut context = StringContext::new();
    context.insert(StringContextElem::Opaque(store_path.clone().into()));
    NixString::new(store_path, Some(context))
}
