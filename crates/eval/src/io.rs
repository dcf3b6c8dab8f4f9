//! Everything the evaluator reads from the outside world goes through
//! [`EvalIo`], so an embedder or the language server can sandbox it.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Regular,
    Directory,
    Symlink,
    Unknown,
}

/// An I/O error as CppNix words it (the C library's message, without Rust's
/// "(os error N)" suffix for the common cases).
pub fn describe_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "No such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
        _ => e.to_string(),
    }
}

pub trait EvalIo {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>>;
    fn read_dir(&self, path: &Path) -> io::Result<Vec<(Vec<u8>, FileType)>>;
    /// The type of the file itself (symlinks are not followed).
    fn file_type(&self, path: &Path) -> io::Result<FileType>;
    fn path_exists(&self, path: &Path) -> bool;
    /// The target of a symbolic link, as written in it.
    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        Err(io::Error::new(io::ErrorKind::InvalidInput, format!("'{}' is not a symbolic link", path.display())))
    }
    fn get_env(&self, name: &str) -> Option<Vec<u8>>;
    /// Receives warnings and traces (rendered, ending in a newline).
    fn warn(&self, text: &str) {
        eprint!("{text}");
    }
    /// Runs `program` (looked up in `PATH` when it has no slash) with
    /// `args`, its standard error passed through; gives its exit status
    /// and standard output (`builtins.exec`).
    fn run_program(&self, program: &[u8], args: &[Vec<u8>]) -> io::Result<(ProgramStatus, Vec<u8>)> {
        let _ = (program, args);
        Err(io::Error::new(io::ErrorKind::Unsupported, "running programs is not available"))
    }
}

/// How a program run by [`EvalIo::run_program`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramStatus {
    Exited(i32),
    Signalled(i32),
}

/// The real file system and environment.
pub struct StdIo;

fn kind(ft: std::fs::FileType) -> FileType {
    if ft.is_symlink() {
        FileType::Symlink
    } else if ft.is_dir() {
        FileType::Directory
    } else if ft.is_file() {
        FileType::Regular
    } else {
        FileType::Unknown
    }
}

impl EvalIo for StdIo {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<(Vec<u8>, FileType)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            out.push((entry.file_name().into_encoded_bytes(), kind(entry.file_type()?)));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    fn file_type(&self, path: &Path) -> io::Result<FileType> {
        Ok(kind(std::fs::symlink_metadata(path)?.file_type()))
    }

    fn path_exists(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok()
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::read_link(path)
    }

    fn get_env(&self, name: &str) -> Option<Vec<u8>> {
        std::env::var_os(name).map(|v| v.into_encoded_bytes())
    }

    fn run_program(&self, program: &[u8], args: &[Vec<u8>]) -> io::Result<(ProgramStatus, Vec<u8>)> {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::process::ExitStatusExt;
        let out = std::process::Command::new(std::ffi::OsStr::from_bytes(program))
            .args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a)))
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()?;
        let status = match (out.status.code(), out.status.signal()) {
            (Some(c), _) => ProgramStatus::Exited(c),
            (None, Some(s)) => ProgramStatus::Signalled(s),
            (None, None) => ProgramStatus::Exited(1),
        };
        Ok((status, out.stdout))
    }
}

/// The embedder's [`EvalIo`] with the store paths of recorded sources
/// readable: a path inside one (a tree a fetcher recorded, say) is read at
/// the source's origin, since evaluation never writes it into the store.
/// CppNix reads fetched trees the same way, from its store.
pub(crate) struct StoreIo {
    pub inner: Box<dyn EvalIo>,
    pub store: std::rc::Rc<std::cell::RefCell<crate::store::EvalStore>>,
}

impl StoreIo {
    fn map<'p>(&self, path: &'p Path) -> io::Result<std::borrow::Cow<'p, Path>> {
        let mapped = self.store.try_borrow().ok().and_then(|s| s.source_origin(path));
        match mapped {
            None => Ok(std::borrow::Cow::Borrowed(path)),
            Some(Some(real)) => Ok(std::borrow::Cow::Owned(real)),
            Some(None) => Err(io::Error::from(io::ErrorKind::NotFound)),
        }
    }

    /// Whether an entry of a recorded source was left out by its filter.
    fn hidden(&self, path: &Path) -> bool {
        matches!(self.store.try_borrow().ok().and_then(|s| s.source_origin(path)), Some(None))
    }
}

impl EvalIo for StoreIo {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.inner.read_file(&self.map(path)?)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<(Vec<u8>, FileType)>> {
        let mut entries = self.inner.read_dir(&self.map(path)?)?;
        use std::os::unix::ffi::OsStrExt;
        entries.retain(|(name, _)| !self.hidden(&path.join(std::ffi::OsStr::from_bytes(name))));
        Ok(entries)
    }

    fn file_type(&self, path: &Path) -> io::Result<FileType> {
        self.inner.file_type(&self.map(path)?)
    }

    fn path_exists(&self, path: &Path) -> bool {
        self.map(path).is_ok_and(|p| self.inner.path_exists(&p))
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        self.inner.read_link(&self.map(path)?)
    }

    fn get_env(&self, name: &str) -> Option<Vec<u8>> {
        self.inner.get_env(name)
    }

    fn warn(&self, text: &str) {
        self.inner.warn(text)
    }

    fn run_program(&self, program: &[u8], args: &[Vec<u8>]) -> io::Result<(ProgramStatus, Vec<u8>)> {
        self.inner.run_program(program, args)
    }
}
