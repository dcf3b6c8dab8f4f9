//! `scopedImport`, and how paths given to `import` and friends are
//! resolved through symbolic links (CppNix's `resolveExprPath` and
//! `SourcePath::resolveSymlinks`).

use std::path::{Path, PathBuf};

use super::args::{self, err};
use super::{native, PrimOp};
use crate::error::EvalResult;
use crate::io::{EvalIo, FileType};
use crate::value::Value;
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[native("scopedImport", 2, scoped_import)];

/// As CppNix, give up after this many links.
const MAX_FOLLOW: usize = 1024;

fn too_many_links(path: &Path) -> crate::error::EvalError {
    err(format!("too many symbolic links encountered while traversing the path '{}'", path.display()))
}

/// `a/b/../c` without touching the file system.
fn canon(path: &Path) -> PathBuf {
    let bytes = crate::compiler::canon_path(path.as_os_str().as_encoded_bytes());
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// The path with every symbolic link in it followed (`Full`), or all but a
/// link in the last component (`ancestors_only`). Missing components stay
/// as they are.
pub(crate) fn resolve_symlinks(io: &dyn EvalIo, path: &Path, ancestors_only: bool) -> EvalResult<PathBuf> {
    let mut todo: Vec<std::ffi::OsString> = path.components().rev().map(|c| c.as_os_str().to_owned()).collect();
    let mut done = PathBuf::from("/");
    let mut follows = 0;
    while let Some(part) = todo.pop() {
        if part == "/" {
            continue;
        }
        if part == ".." {
            done.pop();
            continue;
        }
        if part == "." {
            continue;
        }
        done.push(&part);
        if ancestors_only && todo.is_empty() {
            break;
        }
        if io.file_type(&done).ok() == Some(FileType::Symlink) {
            follows += 1;
            if follows > MAX_FOLLOW {
                return Err(too_many_links(path));
            }
            let Ok(target) = io.read_link(&done) else { break };
            done.pop();
            if target.is_absolute() {
                done = PathBuf::from("/");
            }
            todo.extend(target.components().rev().map(|c| c.as_os_str().to_owned()));
        }
    }
    Ok(done)
}

/// The file `import` reads: a symbolic link in the last component is
/// followed (so relative paths in the file are relative to where it really
/// is), ancestors are not; a directory means its `default.nix`.
pub(crate) fn resolve_expr_path(io: &dyn EvalIo, path: &Path) -> EvalResult<PathBuf> {
    let mut path = canon(path);
    if super::search_path::corepkg(path.as_os_str().as_encoded_bytes()).is_some() {
        return Ok(path);
    }
    let mut follows = 0;
    while let (Some(parent), Some(name)) = (path.parent(), path.file_name()) {
        follows += 1;
        if follows >= MAX_FOLLOW {
            return Err(too_many_links(&path));
        }
        let p = resolve_symlinks(io, parent, false)?.join(name);
        match io.file_type(&p) {
            Ok(FileType::Symlink) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(err(format!("getting status of '{}': No such file or directory", p.display())))
            }
            _ => break,
        }
        let Ok(target) = io.read_link(&p) else { break };
        path = canon(&parent.join(target));
    }
    if io.file_type(&resolve_symlinks(io, &path, false)?).ok() == Some(FileType::Directory) {
        path.push("default.nix");
    }
    Ok(path)
}

fn scoped_import(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let path = super::paths::path_arg(&co, a[1].clone()).await?;
        let file = resolve_expr_path(co.state.io.as_ref(), Path::new(&path))?;
        let scope = co.force(a[0].clone()).await?;
        let scope = args::attrs(&co.state, &scope)
            .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.scopedImport", None))?
            .clone();
        // Not cached: each call evaluates the file again, as in CppNix.
        let thunk = crate::load::load_file_in_scope(&co.state, &file, Some(&scope))?;
        co.force(thunk).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::StdIo;

    #[test]
    fn follows_links_as_cppnix() {
        let dir = std::env::temp_dir().join(format!("neve-imports-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("real/sub")).unwrap();
        std::fs::write(dir.join("real/sub/default.nix"), "1").unwrap();
        std::fs::write(dir.join("real/f.nix"), "1").unwrap();
        std::os::unix::fs::symlink("real", dir.join("link")).unwrap();
        std::os::unix::fs::symlink("real/f.nix", dir.join("f.nix")).unwrap();
        let io = StdIo;
        // Ancestors are kept; the last component is followed.
        assert_eq!(resolve_expr_path(&io, &dir.join("link/f.nix")).unwrap(), dir.join("link/f.nix"));
        assert_eq!(resolve_expr_path(&io, &dir.join("f.nix")).unwrap(), dir.join("real/f.nix"));
        assert_eq!(resolve_expr_path(&io, &dir.join("link/sub")).unwrap(), dir.join("link/sub/default.nix"));
        assert_eq!(resolve_expr_path(&io, &dir.join("link")).unwrap(), dir.join("real/default.nix"));
        assert_eq!(resolve_symlinks(&io, &dir.join("link/sub"), false).unwrap(), dir.join("real/sub"));
        assert_eq!(resolve_symlinks(&io, &dir.join("link"), true).unwrap(), dir.join("link"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
