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
//! - [`binary_cache`]: `.narinfo` files, content addresses, hashing modulo
//!   a self-reference, `makeContentAddressed`.
//! - [`daemon`]: a client for the nix-daemon worker protocol.
//! - [`writable`]: one interface over the daemon and a plain directory store.
//!
//! What `derivationStrict` does with this crate, for
//! `derivation { name = "multi"; system = "x86_64-linux"; builder = "/bin/sh";
//! outputs = [ "out" "dev" "lib" ]; args = [ "-c" "echo" ]; }`:
//!
//! ```
//! use neve_store::{Derivation, DrvHashCache, OutputsSpec, StoreDir};
//!
//! let store = StoreDir::default();
//! let mut cache = DrvHashCache::new();
//! let mut drv = Derivation::new("multi");
//! drv.platform = b"x86_64-linux".to_vec();
//! drv.builder = b"/bin/sh".to_vec();
//! drv.args = vec![b"-c".to_vec(), b"echo".to_vec()];
//! for (k, v) in [("builder", "/bin/sh"), ("name", "multi"),
//!                ("outputs", "out dev lib"), ("system", "x86_64-linux")] {
//!     drv.env.insert(k.into(), v.into());
//! }
//! let outputs = vec!["out".to_owned(), "dev".to_owned(), "lib".to_owned()];
//! drv.fill_outputs(&store, &OutputsSpec::InputAddressed(outputs), &mut cache.lookup())?;
//! let drv_path = drv.drv_path(&store)?;
//! cache.record(&store, &drv_path, &drv)?; // so later derivations can use it
//! assert_eq!(store.print_path(&drv_path),
//!            "/nix/store/bzwni0bjkvcrqd6wvninfr514cg2l7vl-multi.drv");
//! let dev = drv.output_paths(&store)?["dev"].clone().unwrap();
//! assert_eq!(store.print_path(&dev), "/nix/store/wicxgpkzdcxfl0ljy1i3jd0171mzjcc9-multi-dev");
//! // The .drv file's bytes: drv.to_aterm(&store)?; its references: drv.references().
//! # Ok::<(), neve_store::derivation::DerivationError>(())
//! ```

pub mod binary_cache;
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
