//! Builtins that read files and resolve paths: `import`, `readFile`,
//! `pathExists`, `readDir`, `dirOf`, `baseNameOf`, `findFile`.

use std::path::Path;

use super::args::{self, err};
use super::{native, strict, PrimOp};
use crate::coerce::{coerce_to_path_in, coerce_to_string_in, CoerceMode};
use crate::error::EvalResult;
use crate::io::FileType;
use crate::state::EvalState;
use crate::value::{AttrsBuilder, Gc, NixString, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    native("import", 1, import),
    native("readFile", 1, |co, a| {
        Box::pin(async move {
            let path = path_arg(&co, a[0].clone()).await?;
            let bytes = co
                .state
                .io
                .read_file(Path::new(&path))
                .map_err(|e| err(format!("opening file '{path}': {}", crate::io::describe_error(&e))))?;
            if bytes.contains(&0) {
                return Err(err(format!("the contents of the file '{path}' cannot be represented as a Nix string")));
            }
            Ok(Value::string(bytes))
        })
    }),
    native("pathExists", 1, path_exists),
    native("readDir", 1, |co, a| {
        Box::pin(async move {
            let path = path_arg(&co, a[0].clone()).await?;
            // As CppNix: links are followed first, and errors name the result.
            let io = co.state.io.as_ref();
            let path = super::imports::resolve_symlinks(io, Path::new(&path), false)?;
            let shown = path.display();
            match io.file_type(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(err(format!("path '{shown}' does not exist")))
                }
                Ok(kind) if kind != FileType::Directory => return Err(err(format!("'{shown}' is not a directory"))),
                _ => {}
            }
            let entries = io
                .read_dir(&path)
                .map_err(|e| err(format!("reading directory '{shown}': {}", crate::io::describe_error(&e))))?;
            let mut b = AttrsBuilder::with_capacity(entries.len());
            for (name, kind) in entries {
                b.insert(co.state.intern(&name), Value::string(file_type_name(kind)), None);
            }
            Ok(Value::attrs(b.build()))
        })
    }),
    native("readFileType", 1, |co, a| {
        Box::pin(async move {
            let path = path_arg(&co, a[0].clone()).await?;
            let kind = co
                .state
                .io
                .file_type(Path::new(&path))
                .map_err(|e| err(format!("getting status of '{path}': {}", crate::io::describe_error(&e))))?;
            Ok(Value::string(file_type_name(kind)))
        })
    }),
    strict("dirOf", 1, dir_of),
    native("baseNameOf", 1, |co, a| {
        Box::pin(async move {
            // As CppNix: a path is not copied to the store here.
            let frame = "while evaluating the first argument passed to builtins.baseNameOf";
            let s = coerce_to_string_in(&co, a[0].clone(), CoerceMode::PathSegment, frame, None).await?;
            let bytes = s.as_bytes();
            let trimmed = bytes.strip_suffix(b"/").unwrap_or(bytes);
            let base = match trimmed.iter().rposition(|&b| b == b'/') {
                Some(i) => &trimmed[i + 1..],
                None => trimmed,
            };
            Ok(Value::string(NixString::with_context_of(base, &s)))
        })
    }),
    native("toPath", 1, |co, a| {
        Box::pin(async move {
            let frame = "while evaluating the first argument passed to builtins.toPath";
            let s = coerce_to_path_in(&co, a[0].clone(), frame).await?;
            Ok(Value::string(NixString::with_context_of(crate::compiler::canon_path(s.as_bytes()), &s)))
        })
    }),
];

fn file_type_name(kind: FileType) -> &'static str {
    match kind {
        FileType::Regular => "regular",
        FileType::Directory => "directory",
        FileType::Symlink => "symlink",
        FileType::Unknown => "unknown",
    }
}

/// A path argument (CppNix's `realisePath`): a path, or something that
/// coerces to a string holding an absolute path.
pub(crate) async fn path_arg(co: &Co, v: Value) -> EvalResult<String> {
    let s = coerce_to_path_in(co, v, "while realising the context of a path").await?;
    Ok(s.to_str_lossy().into_owned())
}

/// Whether a path exists; a string ending in `/` or `/.` must name a
/// directory (after following links), as in CppNix.
fn path_exists(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let v = co.force(a[0].clone()).await?;
        let must_be_dir =
            matches!(&v, Value::String(s) if s.as_bytes().ends_with(b"/") || s.as_bytes().ends_with(b"/."));
        let path = path_arg(&co, v).await?;
        let canon = String::from_utf8_lossy(&crate::compiler::canon_path(path.as_bytes())).into_owned();
        let io = co.state.io.as_ref();
        let resolved = super::imports::resolve_symlinks(io, Path::new(&canon), !must_be_dir)?;
        Ok(Value::Bool(match io.file_type(&resolved) {
            Ok(kind) => !must_be_dir || kind == FileType::Directory,
            Err(_) => false,
        }))
    })
}

fn dir_of(state: &EvalState, a: &[Value]) -> EvalResult<Value> {
    let (bytes, is_path) = match &a[0] {
        Value::Path(p) => (p.to_vec(), true),
        other => (args::string(state, other)?.as_bytes().to_vec(), false),
    };
    let dir: Vec<u8> = match bytes.iter().rposition(|&b| b == b'/') {
        Some(0) => b"/".to_vec(),
        Some(i) => bytes[..i].to_vec(),
        None => b".".to_vec(),
    };
    Ok(if is_path { Value::Path(Gc::new(dir)) } else { Value::string(dir) })
}

fn import(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let path = path_arg(&co, a[0].clone()).await?;
        let file = super::imports::resolve_expr_path(co.state.io.as_ref(), Path::new(&path))?;
        let key = file.as_os_str().as_encoded_bytes().to_vec();
        let cached = co.state.import_cache.borrow().get(&key).cloned();
        if let Some(v) = cached {
            return co.force(v).await;
        }
        let thunk = crate::load::load_file(&co.state, &file)?;
        co.state.import_cache.borrow_mut().insert(key, thunk.clone());
        co.force(thunk).await
    })
}
