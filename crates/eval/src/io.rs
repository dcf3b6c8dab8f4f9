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
