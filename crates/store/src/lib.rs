//! neve-store: the parts of the Nix store that an evaluator needs, independent of
//! the Nix language.
//!
//! - [`nixbase32`]: Nix's base-32 encoding.
//! - [`hash`]: md5 / sha1 / sha256 / sha512 hashes, their base-16, base-32,
//!   base-64 and SRI forms, `compressHash`, streaming hashers.
//! - [`store_path`]: store paths, name validation, and the path computations
//!   (text, source, fixed-output and derivation output paths).
//! - [`nar`]: the NAR archive format and NAR hashing of files and trees.
//! - [`derivation`]: derivations, their ATerm form, `hashDerivationModulo` and
//!   output path computation as `derivationStrict` does it.
//! - [`daemon`]: a client for the nix-daemon worker protocol.
//! - [`writable`]: one interface over the daemon and a plain directory store.

pub mod daemon;
pub mod derivation;
pub mod hash;
pub mod nar;
pub mod nixbase32;
pub mod store_path;
pub mod writable;

pub use daemon::DaemonClient;
pub use derivation::{Derivation, DerivationOutput, DrvHashCache, OutputsSpec};
pub use hash::{Hash, HashAlgo, HashEncoding};
pub use nar::NarNode;
pub use store_path::{FileIngestionMethod, StoreDir, StorePath};
pub use writable::{DirStore, WritableStore};
