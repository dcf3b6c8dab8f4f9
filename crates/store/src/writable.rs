//! One interface for the two places neve writes store objects: a running
//! nix-daemon ([`crate::daemon::DaemonClient`]) and a plain directory laid out like
//! a store ([`DirStore`], for `neve instantiate --store-dir DIR`).

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read};
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::daemon::{DaemonClient, DaemonError, PathInfo};
use crate::hash::{hash_file, HashAlgo};
use crate::nar::{nar_hash_path_with, read_nar, EntryKind, NarNode, PathFilter};
use crate::store_path::{FileIngestionMethod, StoreDir, StorePath, StorePathError};

/// Errors writing to a store.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
    #[error(transparent)]
    StorePath(#[from] StorePathError),
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> StoreError {
    let context = context.into();
    move |source| StoreError::Io { context, source }
}

/// A store that paths can be added to.
pub trait WritableStore {
    /// The store directory paths are printed with.
    fn store_dir(&self) -> &StoreDir;

    /// Whether the path exists in the store.
    fn is_valid_path(&mut self, path: &StorePath) -> Result<bool, StoreError>;

    /// Adds a text file with references (`builtins.toFile`, `.drv` files); the
    /// result is the text path of the contents.
    fn add_text(&mut self, name: &str, text: &[u8], references: &BTreeSet<StorePath>) -> Result<StorePath, StoreError>;

    /// Adds a file or tree by content: `Recursive` + `Sha256` is what
    /// `builtins.path`, `filterSource` and path interpolation do; `Flat` takes a
    /// regular file. The filter applies to recursive ingestion only.
    fn add_path(
        &mut self,
        name: &str,
        path: &Path,
        method: FileIngestionMethod,
        algo: HashAlgo,
        filter: &mut PathFilter<'_>,
    ) -> Result<StorePath, StoreError>;

    /// Adds an object from its NAR with the given path information (from a
    /// binary cache: `fetchClosure`); `nar` yields exactly the NAR, whose
    /// hash and size the caller has checked. With `check_sigs` a store
    /// that knows trusted keys asks for a valid signature (content-addressed
    /// objects need none).
    fn add_nar(&mut self, info: &PathInfo, nar: &mut dyn Read, check_sigs: bool) -> Result<(), StoreError>;
}

impl WritableStore for DaemonClient {
    fn store_dir(&self) -> &StoreDir {
        DaemonClient::store_dir(self)
    }

    fn is_valid_path(&mut self, path: &StorePath) -> Result<bool, StoreError> {
        Ok(DaemonClient::is_valid_path(self, path)?)
    }

    fn add_text(&mut self, name: &str, text: &[u8], references: &BTreeSet<StorePath>) -> Result<StorePath, StoreError> {
        Ok(self.add_text_to_store(name, text, references)?)
    }

    fn add_path(
        &mut self,
        name: &str,
        path: &Path,
        method: FileIngestionMethod,
        algo: HashAlgo,
        filter: &mut PathFilter<'_>,
    ) -> Result<StorePath, StoreError> {
        Ok(self.add_to_store(name, path, method, algo, filter)?)
    }

    fn add_nar(&mut self, info: &PathInfo, nar: &mut dyn Read, check_sigs: bool) -> Result<(), StoreError> {
        Ok(self.add_to_store_nar_checked(info, check_sigs, &mut |w| io::copy(nar, w).map(|_| ()))?)
    }
}

/// A directory laid out like a store: objects land in `<root><store dir>/`, e.g.
/// `DIR/nix/store/<hash>-<name>`, while paths keep printing as `/nix/store/...`,
/// so `.drv` files are identical to CppNix's. There is no database: references
/// are not recorded and a path is valid when it exists. Files are made
/// read-only (executables 0555, others 0444) as in a real store; directories
/// stay writable by their owner so the tree can be deleted.
#[derive(Debug, Clone)]
pub struct DirStore {
    root: PathBuf,
    store_dir: StoreDir,
}

impl DirStore {
    /// A store under `root` with the default store directory `/nix/store`.
    pub fn new(root: &Path) -> DirStore {
        DirStore::with_store_dir(root, StoreDir::default())
    }

    /// A store under `root` with another store directory.
    pub fn with_store_dir(root: &Path, store_dir: StoreDir) -> DirStore {
        DirStore { root: root.to_owned(), store_dir }
    }

    /// Where a store path's object is on disk.
    pub fn real_path(&self, path: &StorePath) -> PathBuf {
        let mut p = self.root.clone();
        p.push(self.store_dir.as_str().trim_start_matches('/'));
        p.push(path.to_string());
        p
    }

    /// Writes an object into a temporary name beside its final place, then
    /// renames it there; does nothing if it already exists.
    fn install(&self, path: &StorePath, write: impl FnOnce(&Path) -> io::Result<()>) -> Result<(), StoreError> {
        let dest = self.real_path(path);
        if fs::symlink_metadata(&dest).is_ok() {
            return Ok(());
        }
        let dir = dest.parent().expect("store paths have a parent");
        fs::create_dir_all(dir).map_err(io_err(format!("creating '{}'", dir.display())))?;
        let tmp = dir.join(format!(".tmp-{}-{}", std::process::id(), path));
        let _ = remove_tree(&tmp);
        write(&tmp).map_err(io_err(format!("writing '{}'", dest.display())))?;
        if let Err(e) = fs::rename(&tmp, &dest) {
            let _ = remove_tree(&tmp);
            // Someone else installed the same (content-addressed) object first.
            if fs::symlink_metadata(&dest).is_err() {
                return Err(io_err(format!("renaming into '{}'", dest.display()))(e));
            }
        }
        Ok(())
    }
}

fn remove_tree(p: &Path) -> io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn set_read_only(path: &Path, executable: bool) -> io::Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(if executable { 0o555 } else { 0o444 }))
}

#[cfg(not(unix))]
fn set_read_only(path: &Path, _executable: bool) -> io::Result<()> {
    let mut perms = fs::metadata(path)?.permissions();
    perms.set_readonly(true);
    fs::set_permissions(path, perms)
}

#[cfg(unix)]
fn is_owner_executable(meta: &fs::Metadata) -> bool {
    meta.permissions().mode() & 0o100 != 0
}

#[cfg(not(unix))]
fn is_owner_executable(_: &fs::Metadata) -> bool {
    false
}

/// Copies a file, symlink or directory (filtered below the root) as a NAR would
/// record it: contents, the owner-executable bit, symlink targets.
fn copy_tree(src: &Path, dest: &Path, filter: &mut PathFilter<'_>) -> io::Result<()> {
    let meta = fs::symlink_metadata(src)?;
    let ft = meta.file_type();
    if ft.is_symlink() {
        #[cfg(unix)]
        std::os::unix::fs::symlink(fs::read_link(src)?, dest)?;
        #[cfg(not(unix))]
        return Err(io::Error::new(io::ErrorKind::Unsupported, "symlinks need Unix"));
    } else if ft.is_dir() {
        fs::create_dir(dest)?;
        for entry in fs::read_dir(src)? {
            let entry = entry?;
            let child = entry.path();
            let t = entry.file_type()?;
            let kind = if t.is_symlink() {
                EntryKind::Symlink
            } else if t.is_dir() {
                EntryKind::Directory
            } else if t.is_file() {
                EntryKind::Regular
            } else {
                EntryKind::Unknown
            };
            if filter(&child, kind) {
                copy_tree(&child, &dest.join(entry.file_name()), filter)?;
            }
        }
    } else if ft.is_file() {
        fs::copy(src, dest)?;
        set_read_only(dest, is_owner_executable(&meta))?;
    } else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("file '{}' has an unsupported type", src.display()),
        ));
    }
    Ok(())
}

impl WritableStore for DirStore {
    fn store_dir(&self) -> &StoreDir {
        &self.store_dir
    }

    fn is_valid_path(&mut self, path: &StorePath) -> Result<bool, StoreError> {
        Ok(fs::symlink_metadata(self.real_path(path)).is_ok())
    }

    fn add_text(&mut self, name: &str, text: &[u8], references: &BTreeSet<StorePath>) -> Result<StorePath, StoreError> {
        let path = self.store_dir.text_path_of(name, text, references)?;
        self.install(&path, |tmp| {
            fs::write(tmp, text)?;
            set_read_only(tmp, false)
        })?;
        Ok(path)
    }

    fn add_path(
        &mut self,
        name: &str,
        path: &Path,
        method: FileIngestionMethod,
        algo: HashAlgo,
        filter: &mut PathFilter<'_>,
    ) -> Result<StorePath, StoreError> {
        let context = || format!("adding '{}' to the store", path.display());
        let hash = match method {
            FileIngestionMethod::Flat => {
                if !fs::metadata(path).map_err(io_err(context()))?.is_file() {
                    return Err(StoreError::Io {
                        context: context(),
                        source: io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"),
                    });
                }
                hash_file(algo, path).map_err(io_err(context()))?
            }
            FileIngestionMethod::Recursive => nar_hash_path_with(algo, path, filter).map_err(io_err(context()))?.0,
        };
        let store_path = self.store_dir.make_fixed_output_path(method, &hash, name, &BTreeSet::new(), false)?;
        self.install(&store_path, |tmp| match method {
            FileIngestionMethod::Flat => {
                fs::copy(path, tmp)?;
                set_read_only(tmp, false)
            }
            FileIngestionMethod::Recursive => copy_tree(path, tmp, filter),
        })?;
        Ok(store_path)
    }

    /// Unpacks the NAR; there are no signatures to check without a
    /// database or trusted keys.
    fn add_nar(&mut self, info: &PathInfo, nar: &mut dyn Read, _check_sigs: bool) -> Result<(), StoreError> {
        let shown = self.store_dir.print_path(&info.path);
        let node = read_nar(nar).map_err(|e| StoreError::Io {
            context: format!("unpacking the NAR of '{shown}'"),
            source: io::Error::new(io::ErrorKind::InvalidData, e.to_string()),
        })?;
        self.install(&info.path, |tmp| restore_node(&node, tmp))
    }
}

/// Writes a NAR's tree at `dest`, files read-only as in a store.
fn restore_node(node: &NarNode, dest: &Path) -> io::Result<()> {
    match node {
        NarNode::Regular { executable, contents } => {
            fs::write(dest, contents)?;
            set_read_only(dest, *executable)
        }
        NarNode::Symlink { target } => {
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStrExt;
                std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(target), dest)
            }
            #[cfg(not(unix))]
            {
                let _ = target;
                Err(io::Error::new(io::ErrorKind::Unsupported, "symlinks need Unix"))
            }
        }
        NarNode::Directory(entries) => {
            fs::create_dir(dest)?;
            for (name, child) in entries {
                #[cfg(unix)]
                let name = {
                    use std::os::unix::ffi::OsStrExt;
                    std::ffi::OsStr::from_bytes(name).to_owned()
                };
                #[cfg(not(unix))]
                let name = std::ffi::OsString::from(String::from_utf8_lossy(name).into_owned());
                restore_node(child, &dest.join(name))?;
            }
            Ok(())
        }
    }
}
