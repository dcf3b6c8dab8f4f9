//! `builtins.importNative path symbol` (only with
//! `allow-unsafe-native-code-during-evaluation`): loads a shared library
//! and takes a value from it.
//!
//! CppNix hands the symbol its own `EvalState` and `Value` (a C++
//! interface no other evaluator can serve), so neve defines its own small C
//! ABI instead. The symbol must be a function
//!
//! ```c
//! const char *symbol(void);
//! ```
//!
//! returning a NUL-terminated Nix expression. neve copies the text at once
//! and never frees it (a string literal is the natural choice), parses it
//! and evaluates it in the base environment, as `import` of a file would,
//! with relative paths resolved against the library's directory. The
//! function is called on every `importNative`; the library is loaded with
//! `dlopen(path, RTLD_LAZY | RTLD_LOCAL)` and, as in CppNix, never unloaded.
//! A function returning `NULL` is an error.
//!
//! The path is realised as CppNix's `realisePath` does (coerced to a path,
//! symbolic links followed); errors are CppNix's where they apply
//! (`could not open '...': <dlerror>`, `could not load symbol '...' from
//! '...': <dlerror>`). Under pure evaluation a path outside the store is
//! refused with CppNix's `access to absolute path ... is forbidden`.

use std::path::Path;

use super::args::{err, force_string_no_ctx};
use super::{native, PrimOp};
use crate::error::EvalResult;
use crate::source::Origin;
use crate::value::Value;
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[native("importNative", 2, import_native)];

fn import_native(co: Co, args: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let path = super::paths::path_arg(&co, args[0].clone()).await?;
        let state = co.state.clone();
        if state.settings.globals.pure_eval && !state.store.borrow().dir.is_in_store(&path) {
            return Err(err(format!(
                "access to absolute path '{path}' is forbidden in pure evaluation mode (use '--impure' to override)"
            )));
        }
        let path = super::imports::resolve_symlinks(state.io.as_ref(), Path::new(&path), false)?;
        let symbol =
            force_string_no_ctx(&co, &args[1], "while evaluating the second argument passed to builtins.importNative")
                .await?;
        let symbol = symbol.to_str_lossy().into_owned();
        let text = call_symbol(&path, &symbol)?;
        let base = path.parent().unwrap_or(Path::new("/"));
        let shown = path.display();
        let thunk = crate::load::load_source(&state, Origin::String, &text, base)
            .map_err(|e| e.with_frame(format!("while parsing the expression of '{symbol}' from '{shown}'"), None))?;
        co.force(thunk)
            .await
            .map_err(|e| e.with_frame(format!("while evaluating the expression of '{symbol}' from '{shown}'"), None))
    })
}

/// The library's entry point, per the ABI above.
#[cfg(unix)]
type Entry = unsafe extern "C" fn() -> *const std::ffi::c_char;

/// The text of the last `dlerror`, if any.
#[cfg(unix)]
fn dl_error() -> Option<String> {
    // SAFETY: dlerror returns NULL or a NUL-terminated string that stays
    // valid until the next dl* call on this thread; it is copied at once.
    unsafe {
        let message = libc::dlerror();
        (!message.is_null()).then(|| std::ffi::CStr::from_ptr(message).to_string_lossy().into_owned())
    }
}

/// Loads the library at `path` and calls `symbol`; gives the text it
/// returned.
#[cfg(unix)]
fn call_symbol(path: &Path, symbol: &str) -> EvalResult<Vec<u8>> {
    use std::ffi::{CStr, CString};
    use std::os::unix::ffi::OsStrExt;

    let shown = path.display();
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| err(format!("could not open '{shown}': the path contains a NUL byte")))?;
    // SAFETY: loading a library runs its initialisers; the user asked for
    // that by enabling unsafe native code. The handle is never closed.
    let handle = unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_LAZY | libc::RTLD_LOCAL) };
    if handle.is_null() {
        return Err(err(format!("could not open '{shown}': {}", dl_error().unwrap_or_default())));
    }
    let c_symbol = CString::new(symbol.as_bytes())
        .map_err(|_| err(format!("could not load symbol '{symbol}' from '{shown}': the name contains a NUL byte")))?;
    // SAFETY: clears any earlier error, then looks the symbol up in a
    // handle that is still open.
    let address = unsafe {
        libc::dlerror();
        libc::dlsym(handle, c_symbol.as_ptr())
    };
    if address.is_null() {
        return Err(err(match dl_error() {
            Some(message) => format!("could not load symbol '{symbol}' from '{shown}': {message}"),
            None => format!("symbol '{symbol}' from '{shown}' resolved to NULL when a function pointer was expected"),
        }));
    }
    // SAFETY: the ABI says the symbol is a function taking nothing and
    // returning NULL or a NUL-terminated string, which is copied before
    // anything else runs.
    let text = unsafe {
        let entry: Entry = std::mem::transmute::<*mut std::ffi::c_void, Entry>(address);
        let result = entry();
        (!result.is_null()).then(|| CStr::from_ptr(result).to_bytes().to_vec())
    };
    text.ok_or_else(|| err(format!("symbol '{symbol}' from '{shown}' returned NULL instead of a Nix expression")))
}

#[cfg(not(unix))]
fn call_symbol(path: &Path, _symbol: &str) -> EvalResult<Vec<u8>> {
    Err(err(format!("could not open '{}': neve loads native code on Unix only", path.display())))
}
