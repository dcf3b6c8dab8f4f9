//! A client for the nix-daemon worker protocol over a Unix socket: enough to add
//! text files and NARs with references, register temporary and permanent GC
//! roots, and query path validity and metadata.
//!
//! Every number on the wire is a little-endian u64; strings are a length, the
//! bytes and zero padding to a multiple of 8. After each operation the daemon
//! sends log messages (`STDERR_*`) ending in `STDERR_LAST` (success) or
//! `STDERR_ERROR`, followed, on success, by the reply. The client speaks protocol
//! 1.34 (Nix 2.8) and adapts to older daemons where it matters.

use std::collections::BTreeSet;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::hash::{hash_file, Hash, HashAlgo, Hasher};
use crate::nar::{nar_hash_path, nar_hash_path_with, NarNode, NarWriter, PathFilter};
use crate::store_path::{FileIngestionMethod, StoreDir, StorePath, StorePathError};

/// The greeting the client sends.
pub const WORKER_MAGIC_1: u64 = 0x6e69_7863;
/// The greeting the daemon answers with.
pub const WORKER_MAGIC_2: u64 = 0x6478_696f;
/// The protocol version this client speaks: 1.34, as Nix 2.8.
pub const PROTOCOL_VERSION: u64 = 1 << 8 | 34;
/// Where nix-daemon listens by default.
pub const DEFAULT_SOCKET: &str = "/nix/var/nix/daemon-socket/socket";

const STDERR_NEXT: u64 = 0x6f6c_6d67;
const STDERR_READ: u64 = 0x6461_7461;
const STDERR_WRITE: u64 = 0x6461_7416;
const STDERR_LAST: u64 = 0x616c_7473;
const STDERR_ERROR: u64 = 0x6378_7470;
const STDERR_START_ACTIVITY: u64 = 0x5354_5254;
const STDERR_STOP_ACTIVITY: u64 = 0x5354_4f50;
const STDERR_RESULT: u64 = 0x5253_4c54;

/// Worker operations used here (numbers from Nix's `worker-protocol.hh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
enum Op {
    IsValidPath = 1,
    AddToStore = 7,
    AddTextToStore = 8,
    EnsurePath = 10,
    AddTempRoot = 11,
    AddIndirectRoot = 12,
    QueryPathInfo = 26,
    AddToStoreNar = 39,
}

/// Errors talking to the daemon.
#[derive(Debug, Error)]
pub enum DaemonError {
    #[error("cannot connect to the Nix daemon at '{path}': {source}")]
    Connect { path: PathBuf, source: io::Error },
    #[error("I/O error talking to the Nix daemon: {0}")]
    Io(#[from] io::Error),
    #[error("Nix daemon protocol error: {0}")]
    Protocol(String),
    #[error("Nix daemon protocol version {major}.{minor} is not supported")]
    UnsupportedVersion { major: u64, minor: u64 },
    /// An error the daemon reported for an operation; the connection is still
    /// usable.
    #[error("{message}")]
    Remote {
        message: String,
        /// Error trace lines ("while ...").
        traces: Vec<String>,
    },
    #[error(transparent)]
    StorePath(#[from] StorePathError),
    #[error("{0}")]
    Other(String),
}

/// What the daemon knows about a valid store path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathInfo {
    pub path: StorePath,
    pub deriver: Option<StorePath>,
    /// sha256 of the NAR serialisation.
    pub nar_hash: Hash,
    pub references: BTreeSet<StorePath>,
    /// Seconds since the epoch (0 lets the daemon choose).
    pub registration_time: u64,
    pub nar_size: u64,
    pub ultimate: bool,
    pub signatures: BTreeSet<String>,
    /// Content address, e.g. `fixed:r:sha256:<base32>` or `text:sha256:<base32>`.
    pub content_address: Option<String>,
}

/// Content address of a path added by NAR hash with sha256 (Nix's
/// `makeFixedOutputCA`): `fixed:<r:>algo:<base32>`.
pub fn fixed_content_address(method: FileIngestionMethod, hash: &Hash) -> String {
    format!("fixed:{}{}", method.prefix(), hash)
}

/// Content address of a text path: `text:sha256:<base32>`.
pub fn text_content_address(hash: &Hash) -> String {
    format!("text:{hash}")
}

/// The hashes needed to add a path by content.
struct PreparedFixed {
    /// The content hash (flat file hash or NAR hash) in the requested algorithm.
    hash: Hash,
    /// sha256 of the NAR that will be sent.
    nar_hash: Hash,
    nar_size: u64,
}

fn prepare_fixed(
    path: &Path,
    method: FileIngestionMethod,
    algo: HashAlgo,
    filter: &mut PathFilter<'_>,
) -> io::Result<PreparedFixed> {
    match method {
        FileIngestionMethod::Flat => {
            if !std::fs::metadata(path)?.is_file() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("'{}' is not a regular file, so it cannot be added flat", path.display()),
                ));
            }
            let hash = hash_file(algo, path)?;
            let mut w = NarWriter::new(Hasher::new(HashAlgo::Sha256));
            w.write_flat_file(path)?;
            let hasher = w.into_inner();
            let nar_size = hasher.len();
            Ok(PreparedFixed { hash, nar_hash: hasher.finish(), nar_size })
        }
        FileIngestionMethod::Recursive => {
            let (nar_hash, nar_size) = nar_hash_path(path, filter)?;
            let hash =
                if algo == HashAlgo::Sha256 { nar_hash.clone() } else { nar_hash_path_with(algo, path, filter)?.0 };
            Ok(PreparedFixed { hash, nar_hash, nar_size })
        }
    }
}

/// A connection to nix-daemon.
pub struct DaemonClient {
    reader: BufReader<UnixStream>,
    writer: BufWriter<UnixStream>,
    daemon_version: u64,
    daemon_nix_version: Option<String>,
    store_dir: StoreDir,
    log: Vec<String>,
}

impl DaemonClient {
    /// Connects to the daemon at the default socket.
    pub fn connect_default() -> Result<DaemonClient, DaemonError> {
        DaemonClient::connect(Path::new(DEFAULT_SOCKET))
    }

    /// Connects to the daemon listening at `socket` and does the handshake.
    pub fn connect(socket: &Path) -> Result<DaemonClient, DaemonError> {
        let stream =
            UnixStream::connect(socket).map_err(|source| DaemonError::Connect { path: socket.to_owned(), source })?;
        let mut client = DaemonClient {
            reader: BufReader::new(stream.try_clone()?),
            writer: BufWriter::new(stream),
            daemon_version: 0,
            daemon_nix_version: None,
            store_dir: StoreDir::default(),
            log: Vec::new(),
        };
        client.handshake()?;
        Ok(client)
    }

    /// Uses a store directory other than `/nix/store` for printing and parsing
    /// paths (it must match the daemon's).
    pub fn with_store_dir(mut self, store_dir: StoreDir) -> DaemonClient {
        self.store_dir = store_dir;
        self
    }

    fn handshake(&mut self) -> Result<(), DaemonError> {
        self.write_u64(WORKER_MAGIC_1)?;
        self.flush()?;
        let magic = self.read_u64()?;
        if magic != WORKER_MAGIC_2 {
            return Err(DaemonError::Protocol(format!("bad greeting {magic:#x} from the daemon")));
        }
        let version = self.read_u64()?;
        let (major, minor) = (version >> 8, version & 0xff);
        if major != PROTOCOL_VERSION >> 8 || minor < 10 {
            return Err(DaemonError::UnsupportedVersion { major, minor });
        }
        self.daemon_version = version;
        self.write_u64(PROTOCOL_VERSION)?;
        if self.minor() >= 14 {
            self.write_u64(0)?; // no CPU affinity
        }
        if self.minor() >= 11 {
            self.write_u64(0)?; // reserveSpace = false
        }
        self.flush()?;
        if self.minor() >= 33 {
            self.daemon_nix_version = Some(self.read_string_utf8()?);
        }
        self.process_stderr()
    }

    /// The store directory paths are printed with.
    pub fn store_dir(&self) -> &StoreDir {
        &self.store_dir
    }

    /// The minor protocol version both sides use.
    pub fn minor(&self) -> u64 {
        (self.daemon_version & 0xff).min(PROTOCOL_VERSION & 0xff)
    }

    /// The daemon's protocol version (major << 8 | minor).
    pub fn daemon_protocol_version(&self) -> u64 {
        self.daemon_version
    }

    /// The daemon's Nix version, if it said (protocol >= 1.33).
    pub fn daemon_nix_version(&self) -> Option<&str> {
        self.daemon_nix_version.as_deref()
    }

    /// Takes the log lines the daemon has sent so far.
    pub fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    /// Whether the path is valid in the daemon's store.
    pub fn is_valid_path(&mut self, path: &StorePath) -> Result<bool, DaemonError> {
        self.write_op(Op::IsValidPath)?;
        let p = self.store_dir.print_path(path);
        self.write_string(p.as_bytes())?;
        self.process_stderr()?;
        Ok(self.read_u64()? != 0)
    }

    /// Makes sure the path is valid, substituting it if the daemon can.
    pub fn ensure_path(&mut self, path: &StorePath) -> Result<(), DaemonError> {
        self.write_op(Op::EnsurePath)?;
        let p = self.store_dir.print_path(path);
        self.write_string(p.as_bytes())?;
        self.process_stderr()?;
        self.read_u64()?;
        Ok(())
    }

    /// Adds a text file (as `builtins.toFile` and `.drv` files are added) and
    /// returns the path the daemon gave it.
    pub fn add_text_to_store(
        &mut self,
        name: &str,
        text: &[u8],
        references: &BTreeSet<StorePath>,
    ) -> Result<StorePath, DaemonError> {
        self.write_op(Op::AddTextToStore)?;
        self.write_string(name.as_bytes())?;
        self.write_string(text)?;
        self.write_path_set(references)?;
        self.process_stderr()?;
        let p = self.read_string_utf8()?;
        Ok(self.store_dir.parse_path(&p)?)
    }

    /// Adds a path from its NAR serialisation (`wopAddToStoreNar`). `info` must
    /// carry the NAR's sha256 and size; `nar` yields exactly the NAR. Requires a
    /// daemon speaking protocol 1.23 or later (the NAR is sent in frames).
    pub fn add_to_store_nar(
        &mut self,
        info: &PathInfo,
        write_nar: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), DaemonError> {
        self.add_to_store_nar_checked(info, false, write_nar)
    }

    /// [`DaemonClient::add_to_store_nar`], asking the daemon to check the
    /// signatures (with its `trusted-public-keys`) when `check_sigs`, as
    /// Nix's `copyClosure` does for paths from a binary cache. A
    /// content-addressed path needs no signature.
    pub fn add_to_store_nar_checked(
        &mut self,
        info: &PathInfo,
        check_sigs: bool,
        write_nar: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), DaemonError> {
        if self.minor() < 23 {
            return Err(DaemonError::Other("adding NARs needs a Nix daemon with protocol 1.23 or later".to_owned()));
        }
        self.write_op(Op::AddToStoreNar)?;
        let p = self.store_dir.print_path(&info.path);
        self.write_string(p.as_bytes())?;
        let deriver = info.deriver.as_ref().map(|d| self.store_dir.print_path(d)).unwrap_or_default();
        self.write_string(deriver.as_bytes())?;
        self.write_string(info.nar_hash.to_base16().as_bytes())?;
        self.write_path_set(&info.references)?;
        self.write_u64(info.registration_time)?;
        self.write_u64(info.nar_size)?;
        self.write_u64(u64::from(info.ultimate))?;
        self.write_u64(info.signatures.len() as u64)?;
        for s in &info.signatures {
            self.write_string(s.as_bytes())?;
        }
        self.write_string(info.content_address.as_deref().unwrap_or("").as_bytes())?;
        self.write_u64(0)?; // repair
        self.write_u64(u64::from(!check_sigs))?; // dontCheckSigs (honoured only for trusted users)
        let sent = {
            let mut framed = FramedWriter::new(&mut self.writer);
            write_nar(&mut framed).and_then(|()| framed.finish())
        };
        if let Err(e) = sent {
            // The daemon may have given up first: prefer its reason if it sent one.
            return match self.process_stderr() {
                Err(remote @ DaemonError::Remote { .. }) => Err(remote),
                _ => Err(e.into()),
            };
        }
        self.process_stderr()
    }

    /// Adds the file or directory at `path` (filtered) as the `source`-type path
    /// `name`, as `builtins.path` and `filterSource` do, and returns it.
    pub fn add_path(&mut self, name: &str, path: &Path, filter: &mut PathFilter<'_>) -> Result<StorePath, DaemonError> {
        self.add_to_store(name, path, FileIngestionMethod::Recursive, HashAlgo::Sha256, filter)
    }

    /// Adds `path` as a content-addressed path hashed with `method` and `algo`
    /// (Nix's `addToStore`): recursive sha256 gives a `source` path, anything
    /// else a fixed-output path. With flat ingestion `path` must be a regular file
    /// and is stored as a non-executable file; the filter applies to recursive
    /// ingestion only. The filesystem is read twice (hash, then send) and never
    /// held in memory whole.
    pub fn add_to_store(
        &mut self,
        name: &str,
        path: &Path,
        method: FileIngestionMethod,
        algo: HashAlgo,
        filter: &mut PathFilter<'_>,
    ) -> Result<StorePath, DaemonError> {
        let prepared = prepare_fixed(path, method, algo, filter)?;
        let store_path =
            self.store_dir.make_fixed_output_path(method, &prepared.hash, name, &BTreeSet::new(), false)?;
        let info = PathInfo {
            path: store_path.clone(),
            deriver: None,
            nar_hash: prepared.nar_hash,
            references: BTreeSet::new(),
            registration_time: 0,
            nar_size: prepared.nar_size,
            ultimate: false,
            signatures: BTreeSet::new(),
            content_address: Some(fixed_content_address(method, &prepared.hash)),
        };
        self.add_to_store_nar(&info, &mut |w| match method {
            FileIngestionMethod::Flat => NarWriter::new(w).write_flat_file(path),
            FileIngestionMethod::Recursive => NarWriter::new(w).write_path(path, &mut *filter),
        })?;
        Ok(store_path)
    }

    /// Adds a path by content and lets the daemon compute its path (protocol
    /// 1.25+ `wopAddToStore`, what CppNix clients use): the data is streamed once.
    /// `write_dump` writes the NAR for recursive ingestion, the file contents for
    /// flat ingestion. Recursive sha256 with references gives a `source` path with
    /// those references.
    pub fn add_ca_to_store(
        &mut self,
        name: &str,
        method: FileIngestionMethod,
        algo: HashAlgo,
        references: &BTreeSet<StorePath>,
        write_dump: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<PathInfo, DaemonError> {
        if self.minor() < 25 {
            return Err(DaemonError::Other("adding by content needs protocol 1.25 or later".to_owned()));
        }
        self.write_op(Op::AddToStore)?;
        self.write_string(name.as_bytes())?;
        self.write_string(format!("fixed:{}{}", method.prefix(), algo).as_bytes())?;
        self.write_path_set(references)?;
        self.write_u64(0)?; // repair
        let sent = {
            let mut framed = FramedWriter::new(&mut self.writer);
            write_dump(&mut framed).and_then(|()| framed.finish())
        };
        if let Err(e) = sent {
            return match self.process_stderr() {
                Err(remote @ DaemonError::Remote { .. }) => Err(remote),
                _ => Err(e.into()),
            };
        }
        self.process_stderr()?;
        let path = self.read_string_utf8()?;
        let path = self.store_dir.parse_path(&path)?;
        self.read_path_info(path)
    }

    /// Adds an in-memory tree as the `source`-type path `name`.
    pub fn add_nar_node(&mut self, name: &str, node: &NarNode) -> Result<StorePath, DaemonError> {
        let (nar_hash, nar_size) = crate::nar::nar_hash_node(HashAlgo::Sha256, node);
        let store_path = self.store_dir.make_source_path(name, &nar_hash, &BTreeSet::new(), false)?;
        let info = self.source_info(store_path.clone(), nar_hash, nar_size);
        self.add_to_store_nar(&info, &mut |w| NarWriter::new(w).write_nar(node))?;
        Ok(store_path)
    }

    fn source_info(&self, path: StorePath, nar_hash: Hash, nar_size: u64) -> PathInfo {
        let ca = fixed_content_address(FileIngestionMethod::Recursive, &nar_hash);
        PathInfo {
            path,
            deriver: None,
            nar_hash,
            references: BTreeSet::new(),
            registration_time: 0,
            nar_size,
            ultimate: false,
            signatures: BTreeSet::new(),
            content_address: Some(ca),
        }
    }

    /// Metadata of a valid path, or `None` if it is not valid.
    pub fn query_path_info(&mut self, path: &StorePath) -> Result<Option<PathInfo>, DaemonError> {
        if self.minor() < 17 {
            return Err(DaemonError::Other("querying path info needs protocol 1.17 or later".to_owned()));
        }
        self.write_op(Op::QueryPathInfo)?;
        let p = self.store_dir.print_path(path);
        self.write_string(p.as_bytes())?;
        self.process_stderr()?;
        if self.read_u64()? == 0 {
            return Ok(None);
        }
        self.read_path_info(path.clone()).map(Some)
    }

    fn read_path_info(&mut self, path: StorePath) -> Result<PathInfo, DaemonError> {
        let deriver = self.read_string_utf8()?;
        let nar_hash = self.read_string_utf8()?;
        let nar_hash =
            Hash::parse_any(&nar_hash, Some(HashAlgo::Sha256)).map_err(|e| DaemonError::Protocol(e.to_string()))?;
        let references = self.read_path_set()?;
        let registration_time = self.read_u64()?;
        let nar_size = self.read_u64()?;
        let ultimate = self.read_u64()? != 0;
        let n = self.read_u64()?;
        let mut signatures = BTreeSet::new();
        for _ in 0..n {
            signatures.insert(self.read_string_utf8()?);
        }
        let ca = self.read_string_utf8()?;
        Ok(PathInfo {
            path,
            deriver: if deriver.is_empty() { None } else { Some(self.store_dir.parse_path(&deriver)?) },
            nar_hash,
            references,
            registration_time,
            nar_size,
            ultimate,
            signatures,
            content_address: (!ca.is_empty()).then_some(ca),
        })
    }

    /// Registers a temporary GC root for this connection's lifetime.
    pub fn add_temp_root(&mut self, path: &StorePath) -> Result<(), DaemonError> {
        self.write_op(Op::AddTempRoot)?;
        let p = self.store_dir.print_path(path);
        self.write_string(p.as_bytes())?;
        self.process_stderr()?;
        self.read_u64()?;
        Ok(())
    }

    /// Registers `link` (an absolute path to a symlink into the store) as an
    /// indirect GC root.
    pub fn add_indirect_root(&mut self, link: &Path) -> Result<(), DaemonError> {
        self.write_op(Op::AddIndirectRoot)?;
        self.write_string(link.as_os_str().as_encoded_bytes())?;
        self.process_stderr()?;
        self.read_u64()?;
        Ok(())
    }

    /// Makes `gc_root` a symlink to `path` and registers it as a GC root, as
    /// Nix's `addPermRoot` does for a daemon store: temporary root first, refuse to
    /// replace anything but a symlink into the store, then an indirect root.
    pub fn add_perm_root(&mut self, path: &StorePath, gc_root: &Path) -> Result<PathBuf, DaemonError> {
        let gc_root = std::path::absolute(gc_root)?;
        let root_str = gc_root.to_string_lossy();
        if self.store_dir.is_in_store(&root_str) {
            return Err(DaemonError::Other(format!(
                "creating a garbage collector root ({root_str}) in the Nix store is forbidden"
            )));
        }
        self.add_temp_root(path)?;
        if let Ok(meta) = std::fs::symlink_metadata(&gc_root) {
            let points_into_store = meta.file_type().is_symlink()
                && std::fs::read_link(&gc_root).is_ok_and(|t| self.store_dir.is_in_store(&t.to_string_lossy()));
            if !points_into_store {
                return Err(DaemonError::Other(format!("cannot create symlink '{root_str}'; already exists")));
            }
        }
        // Replace atomically: make the link beside it, then rename over.
        let tmp = gc_root.with_file_name(format!(
            ".{}.tmp-{}",
            gc_root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        ));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(self.store_dir.print_path(path), &tmp)?;
        std::fs::rename(&tmp, &gc_root)?;
        self.add_indirect_root(&gc_root)?;
        Ok(gc_root)
    }

    // ---- wire helpers ----

    fn write_op(&mut self, op: Op) -> Result<(), DaemonError> {
        Ok(self.write_u64(op as u64)?)
    }

    fn write_u64(&mut self, n: u64) -> io::Result<()> {
        self.writer.write_all(&n.to_le_bytes())
    }

    fn write_string(&mut self, s: &[u8]) -> io::Result<()> {
        self.write_u64(s.len() as u64)?;
        self.writer.write_all(s)?;
        let pad = (8 - s.len() % 8) % 8;
        self.writer.write_all(&[0u8; 8][..pad])
    }

    fn write_path_set(&mut self, paths: &BTreeSet<StorePath>) -> io::Result<()> {
        self.write_u64(paths.len() as u64)?;
        for p in paths {
            let s = self.store_dir.print_path(p);
            self.write_string(s.as_bytes())?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    fn read_u64(&mut self) -> io::Result<u64> {
        let mut buf = [0u8; 8];
        self.reader.read_exact(&mut buf)?;
        Ok(u64::from_le_bytes(buf))
    }

    fn read_string(&mut self) -> Result<Vec<u8>, DaemonError> {
        let len = self.read_u64()?;
        if len > 1 << 32 {
            return Err(DaemonError::Protocol(format!("string of {len} bytes")));
        }
        let mut s = vec![0u8; len as usize];
        self.reader.read_exact(&mut s)?;
        let pad = (8 - s.len() % 8) % 8;
        let mut zeros = [0u8; 8];
        self.reader.read_exact(&mut zeros[..pad])?;
        if zeros.iter().any(|&b| b != 0) {
            return Err(DaemonError::Protocol("non-zero string padding".to_owned()));
        }
        Ok(s)
    }

    fn read_string_utf8(&mut self) -> Result<String, DaemonError> {
        String::from_utf8(self.read_string()?).map_err(|_| DaemonError::Protocol("string is not UTF-8".to_owned()))
    }

    fn read_path_set(&mut self) -> Result<BTreeSet<StorePath>, DaemonError> {
        let n = self.read_u64()?;
        let mut set = BTreeSet::new();
        for _ in 0..n {
            let s = self.read_string_utf8()?;
            set.insert(self.store_dir.parse_path(&s)?);
        }
        Ok(set)
    }

    fn skip_fields(&mut self) -> Result<(), DaemonError> {
        let n = self.read_u64()?;
        for _ in 0..n {
            match self.read_u64()? {
                0 => {
                    self.read_u64()?;
                }
                1 => {
                    self.read_string()?;
                }
                t => return Err(DaemonError::Protocol(format!("unknown field type {t}"))),
            }
        }
        Ok(())
    }

    /// Flushes the request and reads log messages until `STDERR_LAST` or
    /// `STDERR_ERROR`.
    fn process_stderr(&mut self) -> Result<(), DaemonError> {
        self.flush()?;
        loop {
            match self.read_u64()? {
                STDERR_LAST => return Ok(()),
                STDERR_ERROR => return Err(self.read_error()?),
                STDERR_NEXT => {
                    let line = String::from_utf8_lossy(&self.read_string()?).into_owned();
                    self.log.push(line.trim_end_matches('\n').to_owned());
                }
                STDERR_WRITE => {
                    self.read_string()?;
                }
                STDERR_READ => {
                    // Only pre-1.23 uploads ask for data this way; none are used here.
                    return Err(DaemonError::Protocol("the daemon asked for data it was not offered".into()));
                }
                STDERR_START_ACTIVITY => {
                    self.read_u64()?; // id
                    self.read_u64()?; // level
                    self.read_u64()?; // type
                    let text = String::from_utf8_lossy(&self.read_string()?).into_owned();
                    self.skip_fields()?;
                    self.read_u64()?; // parent
                    if !text.is_empty() {
                        self.log.push(text);
                    }
                }
                STDERR_STOP_ACTIVITY => {
                    self.read_u64()?;
                }
                STDERR_RESULT => {
                    self.read_u64()?; // id
                    self.read_u64()?; // type
                    self.skip_fields()?;
                }
                other => return Err(DaemonError::Protocol(format!("unknown message type {other:#x} from the daemon"))),
            }
        }
    }

    fn read_error(&mut self) -> Result<DaemonError, DaemonError> {
        if self.minor() >= 26 {
            let kind = self.read_string()?;
            if kind != b"Error" {
                return Err(DaemonError::Protocol("malformed error".to_owned()));
            }
            self.read_u64()?; // level
            self.read_string()?; // name (unused)
            let message = strip_ansi_escapes(&String::from_utf8_lossy(&self.read_string()?));
            self.read_u64()?; // position (always 0)
            let n = self.read_u64()?;
            let mut traces = Vec::new();
            for _ in 0..n {
                self.read_u64()?; // position
                traces.push(strip_ansi_escapes(&String::from_utf8_lossy(&self.read_string()?)));
            }
            Ok(DaemonError::Remote { message, traces })
        } else {
            let message = strip_ansi_escapes(&String::from_utf8_lossy(&self.read_string()?));
            self.read_u64()?; // exit status
            Ok(DaemonError::Remote { message, traces: Vec::new() })
        }
    }
}

/// Removes the terminal colour sequences (`ESC [ ... letter`) Nix puts around
/// the arguments of its messages.
fn strip_ansi_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if ('\x40'..='\x7e').contains(&d) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes data as frames (u64 length, bytes; no padding) ending with an empty
/// frame, as the daemon's `FramedSource` reads them.
struct FramedWriter<'a, W: Write> {
    out: &'a mut W,
    buf: Vec<u8>,
}

const FRAME_SIZE: usize = 32 * 1024;

impl<'a, W: Write> FramedWriter<'a, W> {
    fn new(out: &'a mut W) -> Self {
        FramedWriter { out, buf: Vec::with_capacity(FRAME_SIZE) }
    }

    fn emit(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.out.write_all(&(self.buf.len() as u64).to_le_bytes())?;
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.emit()?;
        self.out.write_all(&0u64.to_le_bytes())
    }
}

impl<W: Write> Write for FramedWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(FRAME_SIZE - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == FRAME_SIZE {
            self.emit()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.emit()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        let mut out = Vec::new();
        let mut f = FramedWriter::new(&mut out);
        f.write_all(&vec![7u8; FRAME_SIZE + 3]).unwrap();
        f.finish().unwrap();
        let mut expected = (FRAME_SIZE as u64).to_le_bytes().to_vec();
        expected.extend(vec![7u8; FRAME_SIZE]);
        expected.extend(3u64.to_le_bytes());
        expected.extend([7u8; 3]);
        expected.extend(0u64.to_le_bytes());
        assert_eq!(out, expected);
    }

    #[test]
    fn ansi_escapes_are_removed() {
        assert_eq!(
            strip_ansi_escapes("path '\x1b[35;1m/nix/store/x\x1b[0m' is not valid"),
            "path '/nix/store/x' is not valid"
        );
        assert_eq!(strip_ansi_escapes("plain"), "plain");
    }

    #[test]
    fn content_addresses() {
        let h = crate::hash::hash_bytes(HashAlgo::Sha256, b"");
        assert_eq!(
            fixed_content_address(FileIngestionMethod::Recursive, &h),
            format!("fixed:r:sha256:{}", h.to_base32())
        );
        assert_eq!(text_content_address(&h), format!("text:sha256:{}", h.to_base32()));
    }
}
