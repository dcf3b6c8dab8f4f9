//! The NAR (Nix ARchive) format: a canonical serialisation of a file, a symlink or
//! a directory tree, and NAR hashing.
//!
//! Every token is a string written as a little-endian u64 length, the bytes and
//! zero padding to a multiple of 8. A NAR is `"nix-archive-1"` followed by a node:
//!
//! ```text
//! ( type regular [executable ""] contents <bytes> )
//! ( type symlink target <bytes> )
//! ( type directory { entry ( name <bytes> node <node> ) }* )   entries sorted by name
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Write};
#[cfg(unix)]
use std::os::unix::ffi::OsStrExt;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::hash::{Hash, HashAlgo, Hasher};

/// The magic string a NAR begins with.
pub const NAR_MAGIC: &[u8] = b"nix-archive-1";

/// The kind of a filesystem entry, as `builtins.filterSource` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Regular,
    Directory,
    Symlink,
    /// Sockets, devices, fifos: a NAR cannot hold them.
    Unknown,
}

impl EntryKind {
    /// `"regular"`, `"directory"`, `"symlink"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Regular => "regular",
            EntryKind::Directory => "directory",
            EntryKind::Symlink => "symlink",
            EntryKind::Unknown => "unknown",
        }
    }

    fn of(file_type: fs::FileType) -> EntryKind {
        if file_type.is_symlink() {
            EntryKind::Symlink
        } else if file_type.is_dir() {
            EntryKind::Directory
        } else if file_type.is_file() {
            EntryKind::Regular
        } else {
            EntryKind::Unknown
        }
    }
}

/// An in-memory file tree that can be serialised as a NAR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NarNode {
    Regular {
        executable: bool,
        contents: Vec<u8>,
    },
    Symlink {
        target: Vec<u8>,
    },
    /// Entries by name; the map keeps them in the byte order a NAR requires.
    Directory(BTreeMap<Vec<u8>, NarNode>),
}

/// Writes NAR tokens to a byte sink.
pub struct NarWriter<W: Write> {
    out: W,
}

impl<W: Write> NarWriter<W> {
    /// A writer that has not written the magic yet.
    pub fn new(out: W) -> NarWriter<W> {
        NarWriter { out }
    }

    /// Gives the sink back.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes one padded string token.
    pub fn write_str(&mut self, s: &[u8]) -> io::Result<()> {
        self.out.write_all(&(s.len() as u64).to_le_bytes())?;
        self.out.write_all(s)?;
        self.write_padding(s.len() as u64)
    }

    fn write_padding(&mut self, len: u64) -> io::Result<()> {
        let pad = (8 - (len % 8) as usize) % 8;
        self.out.write_all(&[0u8; 8][..pad])
    }

    /// Writes a regular file whose contents come from `contents`, which must yield
    /// exactly `size` bytes.
    fn write_regular_from(&mut self, executable: bool, size: u64, contents: &mut dyn Read) -> io::Result<()> {
        self.write_str(b"(")?;
        self.write_str(b"type")?;
        self.write_str(b"regular")?;
        if executable {
            self.write_str(b"executable")?;
            self.write_str(b"")?;
        }
        self.write_str(b"contents")?;
        self.out.write_all(&size.to_le_bytes())?;
        let copied = io::copy(&mut contents.take(size), &mut self.out)?;
        if copied != size {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank while it was being archived"));
        }
        self.write_padding(size)?;
        self.write_str(b")")
    }

    /// Serialises an in-memory tree, magic included.
    pub fn write_nar(&mut self, node: &NarNode) -> io::Result<()> {
        self.write_str(NAR_MAGIC)?;
        self.write_node(node)
    }

    fn write_node(&mut self, node: &NarNode) -> io::Result<()> {
        match node {
            NarNode::Regular { executable, contents } => {
                self.write_regular_from(*executable, contents.len() as u64, &mut &contents[..])
            }
            NarNode::Symlink { target } => self.write_symlink(target),
            NarNode::Directory(entries) => {
                self.write_str(b"(")?;
                self.write_str(b"type")?;
                self.write_str(b"directory")?;
                for (name, child) in entries {
                    self.write_str(b"entry")?;
                    self.write_str(b"(")?;
                    self.write_str(b"name")?;
                    self.write_str(name)?;
                    self.write_str(b"node")?;
                    self.write_node(child)?;
                    self.write_str(b")")?;
                }
                self.write_str(b")")
            }
        }
    }

    fn write_symlink(&mut self, target: &[u8]) -> io::Result<()> {
        self.write_str(b"(")?;
        self.write_str(b"type")?;
        self.write_str(b"symlink")?;
        self.write_str(b"target")?;
        self.write_str(target)?;
        self.write_str(b")")
    }

    /// Writes, magic included, the NAR of a non-executable regular file holding
    /// the contents of the file at `path`: what flat ingestion stores.
    pub fn write_flat_file(&mut self, path: &Path) -> io::Result<()> {
        let mut f = fs::File::open(path)?;
        let size = f.metadata()?.len();
        self.write_str(NAR_MAGIC)?;
        self.write_regular_from(false, size, &mut f)
    }

    /// Serialises the file, symlink or directory at `path`, magic included. Only
    /// entries *below* `path` for which `filter(path, kind)` is true are included
    /// (Nix applies `filterSource`'s filter to every entry except the root).
    /// A regular file is executable when its owner may execute it.
    pub fn write_path(&mut self, path: &Path, filter: &mut PathFilter<'_>) -> io::Result<()> {
        self.write_str(NAR_MAGIC)?;
        self.write_path_node(path, filter)
    }

    fn write_path_node(&mut self, path: &Path, filter: &mut PathFilter<'_>) -> io::Result<()> {
        let meta = fs::symlink_metadata(path)?;
        match EntryKind::of(meta.file_type()) {
            EntryKind::Regular => {
                let executable = is_owner_executable(&meta);
                let mut f = fs::File::open(path)?;
                self.write_regular_from(executable, meta.len(), &mut f)
            }
            EntryKind::Symlink => {
                let target = fs::read_link(path)?;
                self.write_symlink(path_bytes(&target))
            }
            EntryKind::Directory => {
                let mut names: Vec<(Vec<u8>, PathBuf)> = Vec::new();
                for entry in fs::read_dir(path)? {
                    let entry = entry?;
                    let child = entry.path();
                    let kind = EntryKind::of(entry.file_type()?);
                    if filter(&child, kind) {
                        names.push((path_bytes(entry.file_name().as_ref()).to_vec(), child));
                    }
                }
                names.sort();
                self.write_str(b"(")?;
                self.write_str(b"type")?;
                self.write_str(b"directory")?;
                for (name, child) in names {
                    self.write_str(b"entry")?;
                    self.write_str(b"(")?;
                    self.write_str(b"name")?;
                    self.write_str(&name)?;
                    self.write_str(b"node")?;
                    self.write_path_node(&child, filter)?;
                    self.write_str(b")")?;
                }
                self.write_str(b")")
            }
            EntryKind::Unknown => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("file '{}' has an unsupported type", path.display()),
            )),
        }
    }
}

/// A filter deciding which entries go into a NAR: given the entry's full path and
/// kind, true keeps it (and, for a directory, looks inside).
pub type PathFilter<'a> = dyn FnMut(&Path, EntryKind) -> bool + 'a;

/// A filter that keeps everything.
pub fn keep_all(_: &Path, _: EntryKind) -> bool {
    true
}

#[cfg(unix)]
fn is_owner_executable(meta: &fs::Metadata) -> bool {
    meta.permissions().mode() & 0o100 != 0
}

#[cfg(not(unix))]
fn is_owner_executable(_meta: &fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn path_bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_bytes()
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> &[u8] {
    p.to_str().map(str::as_bytes).unwrap_or_default()
}

/// Serialises the path into a byte vector (see [`NarWriter::write_path`]).
pub fn nar_of_path(path: &Path, filter: &mut PathFilter<'_>) -> io::Result<Vec<u8>> {
    let mut w = NarWriter::new(Vec::new());
    w.write_path(path, filter)?;
    Ok(w.into_inner())
}

/// Serialises an in-memory tree into a byte vector.
pub fn nar_of_node(node: &NarNode) -> Vec<u8> {
    let mut w = NarWriter::new(Vec::new());
    w.write_nar(node).expect("writing to a Vec cannot fail");
    w.into_inner()
}

/// The sha256 NAR hash and NAR size of a path, streamed through the hasher so the
/// NAR is never held in memory.
pub fn nar_hash_path(path: &Path, filter: &mut PathFilter<'_>) -> io::Result<(Hash, u64)> {
    nar_hash_path_with(HashAlgo::Sha256, path, filter)
}

/// Like [`nar_hash_path`] with any algorithm (`nix-hash --type sha1 DIR`,
/// recursive fixed outputs with other algorithms).
pub fn nar_hash_path_with(algo: HashAlgo, path: &Path, filter: &mut PathFilter<'_>) -> io::Result<(Hash, u64)> {
    let mut w = NarWriter::new(Hasher::new(algo));
    w.write_path(path, filter)?;
    let hasher = w.into_inner();
    let size = hasher.len();
    Ok((hasher.finish(), size))
}

/// The NAR hash and size of an in-memory tree.
pub fn nar_hash_node(algo: HashAlgo, node: &NarNode) -> (Hash, u64) {
    let mut w = NarWriter::new(Hasher::new(algo));
    w.write_nar(node).expect("hashing cannot fail");
    let hasher = w.into_inner();
    let size = hasher.len();
    (hasher.finish(), size)
}

/// Why bytes are not a valid NAR.
#[derive(Debug, thiserror::Error)]
pub enum NarReadError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("invalid NAR: {0}")]
    Invalid(String),
}

fn invalid(msg: impl Into<String>) -> NarReadError {
    NarReadError::Invalid(msg.into())
}

/// Longest token accepted when reading (file contents are not tokens).
const MAX_TOKEN: u64 = 4096;

struct NarReader<R: Read> {
    input: R,
}

impl<R: Read> NarReader<R> {
    fn read_u64(&mut self) -> Result<u64, NarReadError> {
        let mut b = [0u8; 8];
        self.input.read_exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn read_padding(&mut self, len: u64) -> Result<(), NarReadError> {
        let pad = ((8 - len % 8) % 8) as usize;
        let mut b = [0u8; 8];
        self.input.read_exact(&mut b[..pad])?;
        if b.iter().any(|&x| x != 0) {
            return Err(invalid("non-zero padding"));
        }
        Ok(())
    }

    fn read_bytes(&mut self, max: u64) -> Result<Vec<u8>, NarReadError> {
        let len = self.read_u64()?;
        if len > max {
            return Err(invalid(format!("string of {len} bytes is too long")));
        }
        let mut v = Vec::new();
        (&mut self.input).take(len).read_to_end(&mut v)?;
        if v.len() as u64 != len {
            return Err(NarReadError::Io(io::ErrorKind::UnexpectedEof.into()));
        }
        self.read_padding(len)?;
        Ok(v)
    }

    fn token(&mut self) -> Result<Vec<u8>, NarReadError> {
        self.read_bytes(MAX_TOKEN)
    }

    fn expect(&mut self, s: &[u8]) -> Result<(), NarReadError> {
        let t = self.token()?;
        if t != s {
            return Err(invalid(format!(
                "expected '{}', found '{}'",
                String::from_utf8_lossy(s),
                String::from_utf8_lossy(&t)
            )));
        }
        Ok(())
    }

    fn node(&mut self, depth: usize) -> Result<NarNode, NarReadError> {
        if depth > 1000 {
            return Err(invalid("directories nested too deeply"));
        }
        self.expect(b"(")?;
        self.expect(b"type")?;
        let t = self.token()?;
        let node = match &t[..] {
            b"regular" => {
                let mut tag = self.token()?;
                let mut executable = false;
                if tag == b"executable" {
                    self.expect(b"")?;
                    executable = true;
                    tag = self.token()?;
                }
                if tag != b"contents" {
                    return Err(invalid("expected 'contents'"));
                }
                let contents = self.read_bytes(u64::MAX)?;
                self.expect(b")")?;
                NarNode::Regular { executable, contents }
            }
            b"symlink" => {
                self.expect(b"target")?;
                let target = self.token()?;
                self.expect(b")")?;
                NarNode::Symlink { target }
            }
            b"directory" => {
                let mut entries = BTreeMap::new();
                let mut previous: Option<Vec<u8>> = None;
                loop {
                    let tag = self.token()?;
                    if tag == b")" {
                        break;
                    }
                    if tag != b"entry" {
                        return Err(invalid("expected 'entry' or ')'"));
                    }
                    self.expect(b"(")?;
                    self.expect(b"name")?;
                    let name = self.token()?;
                    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') || name.contains(&0) {
                        return Err(invalid(format!("invalid entry name '{}'", String::from_utf8_lossy(&name))));
                    }
                    if previous.as_ref().is_some_and(|p| *p >= name) {
                        return Err(invalid("directory entries are not sorted or not unique"));
                    }
                    self.expect(b"node")?;
                    let child = self.node(depth + 1)?;
                    self.expect(b")")?;
                    previous = Some(name.clone());
                    entries.insert(name, child);
                }
                NarNode::Directory(entries)
            }
            _ => return Err(invalid(format!("unknown node type '{}'", String::from_utf8_lossy(&t)))),
        };
        Ok(node)
    }
}

/// Reads a whole NAR into an in-memory tree, checking that it is canonical
/// (sorted, unique, well-formed entry names; zero padding).
pub fn read_nar(input: impl Read) -> Result<NarNode, NarReadError> {
    let mut r = NarReader { input };
    r.expect(NAR_MAGIC)?;
    let node = r.node(0)?;
    let mut extra = [0u8; 1];
    if r.input.read(&mut extra)? != 0 {
        return Err(invalid("trailing data after the NAR"));
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(s: &[u8]) -> Vec<u8> {
        let mut v = (s.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(s);
        v.resize(v.len().div_ceil(8) * 8, 0);
        v
    }

    #[test]
    fn regular_file_bytes() {
        let nar = nar_of_node(&NarNode::Regular { executable: false, contents: b"hi".to_vec() });
        let mut expected = Vec::new();
        for t in [&b"nix-archive-1"[..], b"(", b"type", b"regular", b"contents", b"hi", b")"] {
            expected.extend(token(t));
        }
        assert_eq!(nar, expected);
    }

    #[test]
    fn executable_and_directory_bytes() {
        let mut entries = BTreeMap::new();
        entries.insert(b"z".to_vec(), NarNode::Symlink { target: b"a".to_vec() });
        entries.insert(b"a".to_vec(), NarNode::Regular { executable: true, contents: vec![] });
        let nar = nar_of_node(&NarNode::Directory(entries));
        let mut expected = Vec::new();
        for t in [
            &b"nix-archive-1"[..],
            b"(",
            b"type",
            b"directory",
            b"entry",
            b"(",
            b"name",
            b"a",
            b"node",
            b"(",
            b"type",
            b"regular",
            b"executable",
            b"",
            b"contents",
            b"",
            b")",
            b")",
            b"entry",
            b"(",
            b"name",
            b"z",
            b"node",
            b"(",
            b"type",
            b"symlink",
            b"target",
            b"a",
            b")",
            b")",
            b")",
        ] {
            expected.extend(token(t));
        }
        assert_eq!(nar, expected);
        let (h, size) = nar_hash_node(HashAlgo::Sha256, &NarNode::Directory(BTreeMap::new()));
        assert_eq!(size, nar_of_node(&NarNode::Directory(BTreeMap::new())).len() as u64);
        assert_eq!(h.algo(), HashAlgo::Sha256);
    }
}
