//! Store paths (`/nix/store/<hash>-<name>`) and the ways Nix computes them.
//!
//! A [`StorePath`] is the 20-byte digest (with its base-32 text) and the name; the store directory is
//! kept apart in [`StoreDir`], which prints, parses and computes paths.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

use thiserror::Error;

use crate::hash::{hash_bytes, Hash, HashAlgo, Hasher};
use crate::nixbase32;

/// Size of the digest in a store path.
pub const DIGEST_SIZE: usize = 20;
/// Length of the base-32 hash part of a store path.
pub const HASH_PART_LEN: usize = 32;
/// Longest name Nix accepts.
pub const MAX_NAME_LEN: usize = 211;
/// Nix's default store directory.
pub const DEFAULT_STORE_DIR: &str = "/nix/store";

/// Why a string is not a valid store path or name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StorePathError {
    #[error("store path name is empty")]
    EmptyName,
    #[error("store path name '{0}' is longer than 211 characters")]
    NameTooLong(String),
    #[error("store path name '{name}' contains illegal character '{}'", char::from(*.c))]
    IllegalCharacter { name: String, c: u8 },
    #[error("store path name '{0}' is not valid")]
    DotName(String),
    #[error("'{0}' is too short to be a valid store path")]
    TooShort(String),
    #[error("'{0}' can't name a store path because the hash part is not followed by a '-'")]
    MissingDash(String),
    #[error("store path '{0}' contains an illegal base-32 character")]
    IllegalHashCharacter(String),
    #[error("path '{0}' is not in the Nix store")]
    NotInStore(String),
}

/// Checks a store path name: 1 to 211 characters from `[A-Za-z0-9+-._?=]`, and
/// not `.` or `..` (alone or as the first dash-separated component), as current
/// Nix does. Nix 2.8 accepted those dot names; nothing else differs.
pub fn validate_name(name: &[u8]) -> Result<(), StorePathError> {
    let shown = || String::from_utf8_lossy(name).into_owned();
    if name.is_empty() {
        return Err(StorePathError::EmptyName);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(StorePathError::NameTooLong(shown()));
    }
    if name[0] == b'.' {
        let first = name.split(|&c| c == b'-').next().unwrap_or(b"");
        if first == b"." || first == b".." {
            return Err(StorePathError::DotName(shown()));
        }
    }
    if let Some(&c) = name.iter().find(|&&c| !NAME_CHARS[usize::from(c)]) {
        return Err(StorePathError::IllegalCharacter { name: shown(), c });
    }
    Ok(())
}

/// Which bytes a store path name may contain.
const NAME_CHARS: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.' | b'_' | b'?' | b'=');
        c += 1;
    }
    t
};

/// A store path without its store directory: a 20-byte digest and a name.
/// The digest's base-32 text (the hash part) is kept too, as paths are
/// printed far more often than made.
///
/// Ordering is that of the base names (`<hash>-<name>`) as strings, which is how
/// Nix sorts store paths (in references, `inputSrcs`, `inputDrvs`).
#[derive(Clone)]
pub struct StorePath {
    digest: [u8; DIGEST_SIZE],
    hash_part: [u8; HASH_PART_LEN],
    /// Not a `String`: no spare capacity, a word less (an evaluation keeps
    /// tens of thousands of paths as keys).
    name: Box<str>,
}

impl PartialEq for StorePath {
    fn eq(&self, other: &Self) -> bool {
        self.digest == other.digest && self.name == other.name
    }
}

impl Eq for StorePath {}

impl std::hash::Hash for StorePath {
    /// The digest is a cryptographic hash already: eight of its bytes are
    /// enough (equality still compares everything).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.digest[..8]);
        state.write_u64(u64::from_le_bytes(first));
    }
}

impl StorePath {
    /// A store path from a digest and a name, checking the name.
    pub fn new(digest: [u8; DIGEST_SIZE], name: &str) -> Result<StorePath, StorePathError> {
        validate_name(name.as_bytes())?;
        Ok(StorePath::from_valid(digest, name.to_owned()))
    }

    /// A store path from a digest and a name already checked.
    fn from_valid(digest: [u8; DIGEST_SIZE], name: String) -> StorePath {
        let mut hash_part = [0u8; HASH_PART_LEN];
        nixbase32::encode_into(&digest, &mut hash_part);
        StorePath { digest, hash_part, name: name.into_boxed_str() }
    }

    /// Parses a base name `<32 base-32 chars>-<name>`.
    pub fn from_base_name(base: &str) -> Result<StorePath, StorePathError> {
        if base.len() < HASH_PART_LEN + 1 {
            return Err(StorePathError::TooShort(base.to_owned()));
        }
        let bytes = base.as_bytes();
        if bytes[HASH_PART_LEN] != b'-' {
            return Err(StorePathError::MissingDash(base.to_owned()));
        }
        let mut digest = [0u8; DIGEST_SIZE];
        nixbase32::decode_into(&bytes[..HASH_PART_LEN], &mut digest)
            .map_err(|_| StorePathError::IllegalHashCharacter(base.to_owned()))?;
        let name = &base[HASH_PART_LEN + 1..];
        validate_name(name.as_bytes())?;
        let mut hash_part = [0u8; HASH_PART_LEN];
        hash_part.copy_from_slice(&bytes[..HASH_PART_LEN]);
        Ok(StorePath { digest, hash_part, name: name.into() })
    }

    /// The 20-byte digest.
    pub fn digest(&self) -> &[u8; DIGEST_SIZE] {
        &self.digest
    }

    /// The name after the dash.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 32-character base-32 hash part.
    pub fn hash_part(&self) -> &str {
        std::str::from_utf8(&self.hash_part).expect("base-32 text is ASCII")
    }

    /// `<hash>-<name>`.
    pub fn base_name(&self) -> String {
        let mut s = String::with_capacity(HASH_PART_LEN + 1 + self.name.len());
        s.push_str(self.hash_part());
        s.push('-');
        s.push_str(&self.name);
        s
    }

    /// Whether the name ends in `.drv`.
    pub fn is_derivation(&self) -> bool {
        self.name.ends_with(".drv")
    }
}

impl Ord for StorePath {
    fn cmp(&self, other: &Self) -> Ordering {
        // The hash part has a fixed length and is followed by '-', so base
        // names compare as hash parts, then names.
        self.hash_part.cmp(&other.hash_part).then_with(|| self.name.cmp(&other.name))
    }
}

impl PartialOrd for StorePath {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for StorePath {
    /// Prints the base name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hash_part())?;
        f.write_str("-")?;
        f.write_str(&self.name)
    }
}

impl fmt::Debug for StorePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StorePath({self})")
    }
}

/// How a content-addressed path's contents are hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileIngestionMethod {
    /// The hash of a single file's contents.
    Flat,
    /// The hash of the NAR serialisation.
    Recursive,
}

impl FileIngestionMethod {
    /// `"r:"` for recursive, `""` for flat, as in Nix's `makeFileIngestionPrefix`.
    pub fn prefix(self) -> &'static str {
        match self {
            FileIngestionMethod::Flat => "",
            FileIngestionMethod::Recursive => "r:",
        }
    }
}

/// A store directory such as `/nix/store`; prints, parses and computes store paths.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoreDir {
    dir: String,
}

impl Default for StoreDir {
    fn default() -> Self {
        StoreDir { dir: DEFAULT_STORE_DIR.to_owned() }
    }
}

impl StoreDir {
    /// A store directory; a trailing slash is dropped.
    pub fn new(dir: &str) -> StoreDir {
        let trimmed = dir.trim_end_matches('/');
        StoreDir { dir: if trimmed.is_empty() { "/" } else { trimmed }.to_owned() }
    }

    /// The directory as a string.
    pub fn as_str(&self) -> &str {
        &self.dir
    }

    /// The full path of a store path.
    pub fn print_path(&self, path: &StorePath) -> String {
        let mut s = String::with_capacity(self.printed_len(path));
        s.push_str(&self.dir);
        s.push('/');
        s.push_str(path.hash_part());
        s.push('-');
        s.push_str(&path.name);
        s
    }

    /// The length of [`StoreDir::print_path`]'s text.
    pub fn printed_len(&self, path: &StorePath) -> usize {
        self.dir.len() + 2 + HASH_PART_LEN + path.name.len()
    }

    /// Appends the full path of a store path to `out`.
    pub fn push_path(&self, out: &mut Vec<u8>, path: &StorePath) {
        out.reserve(self.printed_len(path));
        out.extend_from_slice(self.dir.as_bytes());
        out.push(b'/');
        out.extend_from_slice(&path.hash_part);
        out.push(b'-');
        out.extend_from_slice(path.name.as_bytes());
    }

    /// Feeds the full path of a store path to a fingerprint.
    fn hash_path(&self, h: &mut Fingerprint, path: &StorePath) {
        h.update(self.dir.as_bytes());
        h.update(b"/");
        h.update(&path.hash_part);
        h.update(b"-");
        h.update(path.name.as_bytes());
    }

    /// Parses a full store path `<store dir>/<hash>-<name>` (nothing after the
    /// name: use [`StoreDir::split_store_path`] for paths inside store paths).
    pub fn parse_path(&self, s: &str) -> Result<StorePath, StorePathError> {
        let rest = s
            .strip_prefix(self.dir.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .filter(|r| !r.is_empty() && !r.contains('/'))
            .ok_or_else(|| StorePathError::NotInStore(s.to_owned()))?;
        StorePath::from_base_name(rest)
    }

    /// Splits a path inside the store into its store path and the rest (the rest
    /// starts with `/` or is empty), e.g. for string contexts of `"${drv}/bin"`.
    pub fn split_store_path<'a>(&self, s: &'a str) -> Result<(StorePath, &'a str), StorePathError> {
        let rest = s
            .strip_prefix(self.dir.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .ok_or_else(|| StorePathError::NotInStore(s.to_owned()))?;
        let end = rest.find('/').unwrap_or(rest.len());
        Ok((StorePath::from_base_name(&rest[..end])?, &rest[end..]))
    }

    /// Whether `s` is a path inside this store directory.
    pub fn is_in_store(&self, s: &str) -> bool {
        s.strip_prefix(self.dir.as_str()).is_some_and(|r| r.starts_with('/') && r.len() > 1)
    }

    /// Nix's `makeStorePath`: the path for a fingerprint
    /// `<type>:<algo>:<base16 digest>:<store dir>:<name>`, hashed with sha256 and
    /// folded to 20 bytes.
    pub fn make_store_path(&self, path_type: &str, inner: &Hash, name: &str) -> Result<StorePath, StorePathError> {
        self.store_path_with(|h| h.update(path_type.as_bytes()), inner, name.to_owned())
    }

    /// `make_store_path` with the type fed to the fingerprint by
    /// `write_type`, and the name owned already.
    fn store_path_with(
        &self,
        write_type: impl FnOnce(&mut Fingerprint),
        inner: &Hash,
        name: String,
    ) -> Result<StorePath, StorePathError> {
        validate_name(name.as_bytes())?;
        let mut h = Fingerprint::new();
        write_type(&mut h);
        h.update(b":");
        h.update(inner.algo().name().as_bytes());
        h.update(b":");
        let mut buf = [0u8; 2 * crate::hash::MAX_DIGEST];
        h.update(inner.base16_bytes_into(&mut buf));
        h.update(b":");
        h.update(self.dir.as_bytes());
        h.update(b":");
        h.update(name.as_bytes());
        let full = h.finish();
        // Nix's `compressHash` to 20 bytes.
        let mut digest = [0u8; DIGEST_SIZE];
        for (i, b) in full.digest().iter().enumerate() {
            digest[i % DIGEST_SIZE] ^= b;
        }
        Ok(StorePath::from_valid(digest, name))
    }

    /// Nix's `makeType`: `<type>` followed by `:<full path>` for each reference in
    /// order, and `:self` when the path refers to itself.
    pub fn make_type(&self, base: &str, references: &BTreeSet<StorePath>, has_self_reference: bool) -> String {
        let mut t = Vec::from(base);
        for r in references {
            t.push(b':');
            self.push_path(&mut t, r);
        }
        if has_self_reference {
            t.extend_from_slice(b":self");
        }
        String::from_utf8(t).expect("store paths are UTF-8")
    }

    /// `make_store_path` with the type `make_type(base, references, self)`.
    fn make_typed_path<'r>(
        &self,
        base: &str,
        references: impl IntoIterator<Item = &'r StorePath>,
        has_self_reference: bool,
        inner: &Hash,
        name: String,
    ) -> Result<StorePath, StorePathError> {
        let write_type = |h: &mut Fingerprint| {
            h.update(base.as_bytes());
            for r in references {
                h.update(b":");
                self.hash_path(h, r);
            }
            if has_self_reference {
                h.update(b":self");
            }
        };
        self.store_path_with(write_type, inner, name)
    }

    /// The path of a text file with these contents' sha256 and references, as
    /// `builtins.toFile` and `.drv` files use (Nix's `makeTextPath`).
    pub fn make_text_path(
        &self,
        name: &str,
        content_hash: &Hash,
        references: &BTreeSet<StorePath>,
    ) -> Result<StorePath, StorePathError> {
        self.make_typed_path("text", references, false, content_hash, name.to_owned())
    }

    /// [`StoreDir::make_text_path`] with the references given as an iterator,
    /// which must yield them sorted and without repetitions.
    pub fn make_text_path_sorted<'r>(
        &self,
        name: String,
        content_hash: &Hash,
        references: impl IntoIterator<Item = &'r StorePath>,
    ) -> Result<StorePath, StorePathError> {
        self.make_typed_path("text", references, false, content_hash, name)
    }

    /// The text path of the given contents (sha256 is computed here; Nix's
    /// `computeStorePathForText`).
    pub fn text_path_of(
        &self,
        name: &str,
        contents: &[u8],
        references: &BTreeSet<StorePath>,
    ) -> Result<StorePath, StorePathError> {
        self.make_text_path(name, &hash_bytes(HashAlgo::Sha256, contents), references)
    }

    /// Nix's `makeFixedOutputPath`. A recursive sha256 hash gives a `source` path
    /// (the kind `builtins.path` and path interpolation make, references allowed);
    /// any other combination gives `output:out` of the inner fingerprint
    /// `fixed:out:<r:><algo>:<base16>:`, which allows no references.
    pub fn make_fixed_output_path(
        &self,
        method: FileIngestionMethod,
        hash: &Hash,
        name: &str,
        references: &BTreeSet<StorePath>,
        has_self_reference: bool,
    ) -> Result<StorePath, StorePathError> {
        if method == FileIngestionMethod::Recursive && hash.algo() == HashAlgo::Sha256 {
            self.make_typed_path("source", references, has_self_reference, hash, name.to_owned())
        } else {
            let mut h = Fingerprint::new();
            h.update(b"fixed:out:");
            h.update(method.prefix().as_bytes());
            h.update(hash.algo().name().as_bytes());
            h.update(b":");
            let mut buf = [0u8; 2 * crate::hash::MAX_DIGEST];
            h.update(hash.base16_bytes_into(&mut buf));
            h.update(b":");
            self.make_store_path("output:out", &h.finish(), name)
        }
    }

    /// The path of a source added by NAR hash with sha256 (what `builtins.path`,
    /// `filterSource` and `"${./file}"` produce without references).
    pub fn make_source_path(
        &self,
        name: &str,
        nar_hash: &Hash,
        references: &BTreeSet<StorePath>,
        has_self_reference: bool,
    ) -> Result<StorePath, StorePathError> {
        self.make_typed_path("source", references, has_self_reference, nar_hash, name.to_owned())
    }

    /// Output path of an input-addressed derivation (Nix's `makeOutputPath`): type
    /// `output:<output>`, the derivation's hash modulo, and the name
    /// `<drv name>` for `out` or `<drv name>-<output>` otherwise.
    pub fn make_output_path(
        &self,
        output: &str,
        drv_hash_modulo: &Hash,
        drv_name: &str,
    ) -> Result<StorePath, StorePathError> {
        let write_type = |h: &mut Fingerprint| {
            h.update(b"output:");
            h.update(output.as_bytes());
        };
        self.store_path_with(write_type, drv_hash_modulo, output_path_name(drv_name, output))
    }
}

/// The text a store path is computed from, hashed with sha256. It is put
/// together in a buffer on the stack and hashed in one piece: it is made of
/// many short pieces, and feeding each to the hasher costs more than copying
/// it. A longer text (many references) goes to a hasher a buffer at a time.
struct Fingerprint {
    buf: [u8; Fingerprint::CAPACITY],
    len: usize,
    /// The text so far, once it did not fit in `buf`.
    hasher: Option<Hasher>,
}

impl Fingerprint {
    /// Enough for the fingerprint of an output or a `.drv` with a few inputs.
    const CAPACITY: usize = 512;

    fn new() -> Fingerprint {
        Fingerprint { buf: [0; Fingerprint::CAPACITY], len: 0, hasher: None }
    }

    fn update(&mut self, data: &[u8]) {
        if let Some(room) = self.buf.get_mut(self.len..self.len + data.len()) {
            room.copy_from_slice(data);
            self.len += data.len();
            return;
        }
        let h = self.hasher.get_or_insert_with(|| Hasher::new(HashAlgo::Sha256));
        h.update(&self.buf[..self.len]);
        h.update(data);
        self.len = 0;
    }

    fn finish(self) -> Hash {
        match self.hasher {
            None => hash_bytes(HashAlgo::Sha256, &self.buf[..self.len]),
            Some(mut h) => {
                h.update(&self.buf[..self.len]);
                h.finish()
            }
        }
    }
}

/// `<drv name>` for the output `out`, `<drv name>-<output>` otherwise.
pub fn output_path_name(drv_name: &str, output: &str) -> String {
    if output == "out" {
        drv_name.to_owned()
    } else {
        format!("{drv_name}-{output}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::compress_hash;

    #[test]
    fn names() {
        assert!(validate_name(b"hello-2.10").is_ok());
        assert!(validate_name(b"a+b_c?d=e.f").is_ok());
        assert!(validate_name(b".hidden").is_ok());
        assert!(validate_name(b"..foo").is_ok());
        assert_eq!(validate_name(b""), Err(StorePathError::EmptyName));
        assert!(matches!(validate_name(b"."), Err(StorePathError::DotName(_))));
        assert!(matches!(validate_name(b".."), Err(StorePathError::DotName(_))));
        assert!(matches!(validate_name(b".-x"), Err(StorePathError::DotName(_))));
        assert!(matches!(validate_name(b"..-x"), Err(StorePathError::DotName(_))));
        assert!(matches!(validate_name(b"a b"), Err(StorePathError::IllegalCharacter { c: b' ', .. })));
        assert!(validate_name(&[b'a'; 211]).is_ok());
        assert!(matches!(validate_name(&[b'a'; 212]), Err(StorePathError::NameTooLong(_))));
    }

    #[test]
    fn parse_and_print() {
        let dir = StoreDir::default();
        let s = "/nix/store/7h7qgvs4kgzsn8a6rb273saxyqh4jxlz-konsole-18.12.3";
        let p = dir.parse_path(s).unwrap();
        assert_eq!(p.name(), "konsole-18.12.3");
        assert_eq!(p.hash_part(), "7h7qgvs4kgzsn8a6rb273saxyqh4jxlz");
        assert_eq!(dir.print_path(&p), s);
        assert!(dir.parse_path("/nix/store/7h7qgvs4kgzsn8a6rb273saxyqh4jxlz").is_err());
        assert!(matches!(
            dir.parse_path("/nix/store/7h7qgvs4kgzsn8a6rb273saxyqh4jxlzXkonsole"),
            Err(StorePathError::MissingDash(_))
        ));
        assert!(matches!(
            dir.parse_path("/nix/store/eh7qgvs4kgzsn8a6rb273saxyqh4jxlz-x"),
            Err(StorePathError::IllegalHashCharacter(_))
        ));
        assert!(matches!(
            dir.parse_path("/nix/stor/7h7qgvs4kgzsn8a6rb273saxyqh4jxlz-x"),
            Err(StorePathError::NotInStore(_))
        ));
        assert!(dir.parse_path(&format!("{s}/bin")).is_err());
        let inside = format!("{s}/bin/konsole");
        let (p2, rest) = dir.split_store_path(&inside).unwrap();
        assert_eq!(p2, p);
        assert_eq!(rest, "/bin/konsole");
        assert!(dir.is_in_store(s));
        assert!(!dir.is_in_store("/nix/store"));
        assert!(!dir.is_in_store("/nix/storex/a"));
    }

    #[test]
    fn ordering_matches_base_names() {
        let names: Vec<StorePath> = (0..200u32)
            .map(|i| {
                let h = hash_bytes(HashAlgo::Sha256, &i.to_le_bytes());
                let mut d = [0u8; 20];
                d.copy_from_slice(&compress_hash(h.digest(), 20));
                StorePath::new(d, if i % 3 == 0 { "a" } else { "b-c" }).unwrap()
            })
            .collect();
        let mut by_ord = names.clone();
        by_ord.sort();
        let mut by_string = names.clone();
        by_string.sort_by_key(|p| p.base_name());
        assert_eq!(by_ord, by_string);
    }

    #[test]
    fn long_fingerprints_hash_as_one_piece() {
        let pieces: Vec<Vec<u8>> = (0..40u8).map(|i| vec![b'a' + i % 26; usize::from(i) * 7]).collect();
        let mut f = Fingerprint::new();
        for p in &pieces {
            f.update(p);
        }
        assert_eq!(f.finish(), hash_bytes(HashAlgo::Sha256, &pieces.concat()));
    }

    #[test]
    fn output_names() {
        assert_eq!(output_path_name("foo", "out"), "foo");
        assert_eq!(output_path_name("foo", "dev"), "foo-dev");
    }
}
