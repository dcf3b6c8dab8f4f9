//! Hash algorithms, hash values and their textual forms, as Nix uses them.
//!
//! A [`Hash`](struct@Hash) is an algorithm plus its digest. Nix accepts a digest in base 16,
//! Nix base 32 or base 64, chosen by the length of the string, optionally prefixed
//! by `algo:`, or in SRI form `algo-<base64>`.

use std::fmt;
use std::io;
use std::str::FromStr;

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use thiserror::Error;

use crate::nixbase32;

/// A hash algorithm Nix supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HashAlgo {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

impl HashAlgo {
    /// All algorithms.
    pub const ALL: [HashAlgo; 4] = [HashAlgo::Md5, HashAlgo::Sha1, HashAlgo::Sha256, HashAlgo::Sha512];

    /// Digest size in bytes.
    pub const fn size(self) -> usize {
        match self {
            HashAlgo::Md5 => 16,
            HashAlgo::Sha1 => 20,
            HashAlgo::Sha256 => 32,
            HashAlgo::Sha512 => 64,
        }
    }

    /// The name Nix prints (`md5`, `sha1`, `sha256`, `sha512`).
    pub const fn name(self) -> &'static str {
        match self {
            HashAlgo::Md5 => "md5",
            HashAlgo::Sha1 => "sha1",
            HashAlgo::Sha256 => "sha256",
            HashAlgo::Sha512 => "sha512",
        }
    }

    /// Parses an algorithm name as Nix's `parseHashType` does.
    pub fn from_name(name: &str) -> Option<HashAlgo> {
        HashAlgo::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Length of a base-16 digest.
    pub const fn base16_len(self) -> usize {
        self.size() * 2
    }

    /// Length of a Nix base-32 digest.
    pub const fn base32_len(self) -> usize {
        nixbase32::encoded_len(self.size())
    }

    /// Length of a padded base-64 digest.
    pub const fn base64_len(self) -> usize {
        ((4 * self.size() / 3) + 3) & !3
    }
}

impl fmt::Display for HashAlgo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HashAlgo {
    type Err = HashError;
    fn from_str(s: &str) -> Result<Self, HashError> {
        HashAlgo::from_name(s).ok_or_else(|| HashError::UnknownAlgo(s.to_owned()))
    }
}

/// How a digest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashEncoding {
    Base16,
    /// Nix's base 32 (see [`crate::nixbase32`]).
    Base32,
    Base64,
    /// `algo-<base64>`; always includes the algorithm.
    Sri,
}

/// Why a hash string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HashError {
    #[error("unknown hash algorithm '{0}'")]
    UnknownAlgo(String),
    #[error("hash '{0}' does not include a type")]
    MissingAlgo(String),
    #[error("hash '{0}' does not include a type, nor is the type otherwise known from context")]
    MissingAlgoNoContext(String),
    #[error("hash '{hash}' should have type '{expected}'")]
    AlgoMismatch { hash: String, expected: HashAlgo },
    #[error("hash '{0}' is not SRI")]
    NotSri(String),
    #[error("invalid base-16 hash '{0}'")]
    InvalidBase16(String),
    #[error("invalid base-32 hash '{0}'")]
    InvalidBase32(String),
    #[error("invalid base-64 hash '{0}'")]
    InvalidBase64(String),
    #[error("invalid SRI hash '{0}'")]
    InvalidSri(String),
    #[error("hash '{hash}' has wrong length for hash type '{algo}'")]
    WrongLength { hash: String, algo: HashAlgo },
    #[error("digest of {len} bytes is the wrong size for {algo}")]
    WrongDigestSize { len: usize, algo: HashAlgo },
}

/// The largest digest (sha512).
pub const MAX_DIGEST: usize = 64;

/// A hash value: an algorithm and its digest.
///
/// The digest is kept inline (zero-padded to the largest size), so hashes are
/// made and copied without allocating.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash {
    algo: HashAlgo,
    digest: [u8; MAX_DIGEST],
}

impl Hash {
    /// A hash from its digest bytes, which must have the algorithm's size.
    pub fn new(algo: HashAlgo, digest: &[u8]) -> Result<Hash, HashError> {
        if digest.len() != algo.size() {
            return Err(HashError::WrongDigestSize { len: digest.len(), algo });
        }
        Ok(Hash::from_digest(algo, digest))
    }

    /// A hash from a digest of the algorithm's size.
    fn from_digest(algo: HashAlgo, digest: &[u8]) -> Hash {
        let mut d = [0u8; MAX_DIGEST];
        d[..digest.len()].copy_from_slice(digest);
        Hash { algo, digest: d }
    }

    /// The all-zero hash of an algorithm (what Nix uses for an empty `outputHash`).
    pub fn zero(algo: HashAlgo) -> Hash {
        Hash { algo, digest: [0; MAX_DIGEST] }
    }

    /// The algorithm.
    pub fn algo(&self) -> HashAlgo {
        self.algo
    }

    /// The digest bytes.
    pub fn digest(&self) -> &[u8] {
        &self.digest[..self.algo.size()]
    }

    /// Parses `algo:digest` or SRI `algo-base64`; the algorithm must be given
    /// (Nix's `Hash::parseAnyPrefixed`).
    pub fn parse_any_prefixed(s: &str) -> Result<Hash, HashError> {
        let (algo, rest, is_sri) = split_algo_prefix(s)?;
        let algo = algo.ok_or_else(|| HashError::MissingAlgo(rest.to_owned()))?;
        Hash::parse_digest(rest, algo, is_sri)
    }

    /// Parses a hash with an optional `algo:` or SRI prefix; `algo` supplies the
    /// algorithm when the string has none and must agree when it has one
    /// (Nix's `Hash::parseAny`).
    pub fn parse_any(s: &str, algo: Option<HashAlgo>) -> Result<Hash, HashError> {
        let (parsed, rest, is_sri) = split_algo_prefix(s)?;
        let algo = match (parsed, algo) {
            (None, None) => return Err(HashError::MissingAlgoNoContext(rest.to_owned())),
            (Some(p), Some(a)) if p != a => return Err(HashError::AlgoMismatch { hash: s.to_owned(), expected: a }),
            (Some(p), _) => p,
            (None, Some(a)) => a,
        };
        Hash::parse_digest(rest, algo, is_sri)
    }

    /// Parses an SRI hash `algo-<base64>` (Nix's `Hash::parseSRI`).
    pub fn parse_sri(s: &str) -> Result<Hash, HashError> {
        let (algo, rest) = s.split_once('-').ok_or_else(|| HashError::NotSri(s.to_owned()))?;
        let algo: HashAlgo = algo.parse()?;
        Hash::parse_digest(rest, algo, true)
    }

    /// Parses a bare digest of a known algorithm in base 16, 32 or 64, chosen by
    /// its length (Nix's `Hash::parseNonSRIUnprefixed`).
    pub fn parse_non_sri_unprefixed(s: &str, algo: HashAlgo) -> Result<Hash, HashError> {
        Hash::parse_digest(s, algo, false)
    }

    /// Like [`Hash::parse_any`], but an empty string gives the all-zero hash of the
    /// known algorithm (Nix's `newHashAllowEmpty`; Nix warns in that case).
    pub fn parse_allow_empty(s: &str, algo: Option<HashAlgo>) -> Result<Hash, HashError> {
        if s.is_empty() {
            match algo {
                Some(a) => Ok(Hash::zero(a)),
                None => Err(HashError::MissingAlgoNoContext(String::new())),
            }
        } else {
            Hash::parse_any(s, algo)
        }
    }

    fn parse_digest(rest: &str, algo: HashAlgo, is_sri: bool) -> Result<Hash, HashError> {
        let bytes = rest.as_bytes();
        let digest = if !is_sri && bytes.len() == algo.base16_len() {
            decode_base16(bytes).ok_or_else(|| HashError::InvalidBase16(rest.to_owned()))?
        } else if !is_sri && bytes.len() == algo.base32_len() {
            nixbase32::decode(bytes).map_err(|_| HashError::InvalidBase32(rest.to_owned()))?
        } else if is_sri || bytes.len() == algo.base64_len() {
            let bad = || {
                if is_sri {
                    HashError::InvalidSri(rest.to_owned())
                } else {
                    HashError::InvalidBase64(rest.to_owned())
                }
            };
            let d = decode_base64_lenient(bytes).ok_or_else(bad)?;
            if d.len() != algo.size() {
                return Err(bad());
            }
            d
        } else {
            return Err(HashError::WrongLength { hash: rest.to_owned(), algo });
        };
        Ok(Hash::from_digest(algo, &digest))
    }

    /// Prints the digest in `encoding`, with the `algo:` prefix if `include_algo`
    /// (SRI always includes the algorithm), as Nix's `Hash::to_string`.
    pub fn to_string_as(&self, encoding: HashEncoding, include_algo: bool) -> String {
        let mut s = String::new();
        if encoding == HashEncoding::Sri || include_algo {
            s.push_str(self.algo.name());
            s.push(if encoding == HashEncoding::Sri { '-' } else { ':' });
        }
        match encoding {
            HashEncoding::Base16 => s.push_str(&self.to_base16()),
            HashEncoding::Base32 => s.push_str(&self.to_base32()),
            HashEncoding::Base64 | HashEncoding::Sri => s.push_str(&self.to_base64()),
        }
        s
    }

    /// Lower-case base 16 digest, no prefix.
    pub fn to_base16(&self) -> String {
        let mut buf = [0u8; 2 * MAX_DIGEST];
        self.base16_into(&mut buf).to_owned()
    }

    /// The lower-case base-16 digest, written into `buf`; gives the text.
    pub fn base16_into<'b>(&self, buf: &'b mut [u8; 2 * MAX_DIGEST]) -> &'b str {
        std::str::from_utf8(self.base16_bytes_into(buf)).expect("hex digits are ASCII")
    }

    /// [`Hash::base16_into`] as bytes, for callers that hash or copy the
    /// text (no UTF-8 check of what is ASCII by construction).
    pub fn base16_bytes_into<'b>(&self, buf: &'b mut [u8; 2 * MAX_DIGEST]) -> &'b [u8] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = self.digest();
        for (i, &b) in digest.iter().enumerate() {
            buf[2 * i] = HEX[usize::from(b >> 4)];
            buf[2 * i + 1] = HEX[usize::from(b & 0xf)];
        }
        &buf[..2 * digest.len()]
    }

    /// Nix base-32 digest, no prefix.
    pub fn to_base32(&self) -> String {
        nixbase32::encode(self.digest())
    }

    /// Padded base-64 digest, no prefix.
    pub fn to_base64(&self) -> String {
        data_encoding::BASE64.encode(self.digest())
    }

    /// `algo-<base64>`.
    pub fn to_sri(&self) -> String {
        self.to_string_as(HashEncoding::Sri, true)
    }

    /// Base 16 for md5, Nix base 32 otherwise, no prefix (Nix's `printHash16or32`).
    pub fn to_base16_or_32(&self) -> String {
        if self.algo == HashAlgo::Md5 {
            self.to_base16()
        } else {
            self.to_base32()
        }
    }
}

/// `Display` prints `algo:<base32>`, the form Nix uses in most messages.
impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_as(HashEncoding::Base32, true))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_sri())
    }
}

/// Splits off `algo:` or, failing that, SRI `algo-`, as Nix's
/// `getParsedTypeAndSRI`. Returns the algorithm (if any), the rest and whether the
/// form was SRI.
fn split_algo_prefix(s: &str) -> Result<(Option<HashAlgo>, &str, bool), HashError> {
    if let Some((algo, rest)) = s.split_once(':') {
        return Ok((Some(algo.parse()?), rest, false));
    }
    if let Some((algo, rest)) = s.split_once('-') {
        return Ok((Some(algo.parse()?), rest, true));
    }
    Ok((None, s, false))
}

fn decode_base16(s: &[u8]) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    s.chunks(2).map(|pair| Some(nibble(pair[0])? << 4 | nibble(*pair.get(1)?)?)).collect()
}

/// Base-64 decoding as lenient as Nix's `base64Decode`: stops at the first `=`,
/// skips newlines, and ignores leftover bits.
fn decode_base64_lenient(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in s {
        let v = match c {
            b'=' => break,
            b'\n' => continue,
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6 | u32::from(v)) & 0xffffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// XOR-folds a digest into `size` bytes: byte `i` of the input is XORed into byte
/// `i % size` of the result (Nix's `compressHash`).
pub fn compress_hash(digest: &[u8], size: usize) -> Vec<u8> {
    let mut out = vec![0u8; size];
    if size == 0 {
        return out;
    }
    for (i, b) in digest.iter().enumerate() {
        out[i % size] ^= b;
    }
    out
}

/// An incremental hasher for any [`HashAlgo`]; also an [`io::Write`], so data can
/// be streamed into it with `io::copy`. Counts the bytes it has seen.
#[derive(Clone)]
pub struct Hasher {
    state: HasherState,
    len: u64,
}

#[derive(Clone)]
enum HasherState {
    Md5(Md5),
    Sha1(Sha1),
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    /// A fresh hasher.
    pub fn new(algo: HashAlgo) -> Hasher {
        let state = match algo {
            HashAlgo::Md5 => HasherState::Md5(Md5::new()),
            HashAlgo::Sha1 => HasherState::Sha1(Sha1::new()),
            HashAlgo::Sha256 => HasherState::Sha256(Sha256::new()),
            HashAlgo::Sha512 => HasherState::Sha512(Sha512::new()),
        };
        Hasher { state, len: 0 }
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.len += data.len() as u64;
        match &mut self.state {
            HasherState::Md5(h) => h.update(data),
            HasherState::Sha1(h) => h.update(data),
            HasherState::Sha256(h) => h.update(data),
            HasherState::Sha512(h) => h.update(data),
        }
    }

    /// Number of bytes fed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing has been fed yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The final hash.
    pub fn finish(self) -> Hash {
        match self.state {
            HasherState::Md5(h) => Hash::from_digest(HashAlgo::Md5, &h.finalize()),
            HasherState::Sha1(h) => Hash::from_digest(HashAlgo::Sha1, &h.finalize()),
            HasherState::Sha256(h) => Hash::from_digest(HashAlgo::Sha256, &h.finalize()),
            HasherState::Sha512(h) => Hash::from_digest(HashAlgo::Sha512, &h.finalize()),
        }
    }
}

impl io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Hashes a byte string (Nix's `hashString`).
pub fn hash_bytes(algo: HashAlgo, data: &[u8]) -> Hash {
    if algo == HashAlgo::Sha256 {
        // The usual case (store paths, derivations): without the enum of
        // every algorithm's state, which `Hasher` moves around whole.
        return Hash::from_digest(HashAlgo::Sha256, &Sha256::digest(data));
    }
    let mut h = Hasher::new(algo);
    h.update(data);
    h.finish()
}

/// Hashes the contents of a file without reading it whole into memory
/// (Nix's `hashFile`, i.e. flat hashing).
pub fn hash_file(algo: HashAlgo, path: &std::path::Path) -> io::Result<Hash> {
    let mut h = Hasher::new(algo);
    let mut f = std::fs::File::open(path)?;
    io::copy(&mut f, &mut h)?;
    Ok(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algo_lengths() {
        assert_eq!(HashAlgo::Sha256.base16_len(), 64);
        assert_eq!(HashAlgo::Sha256.base32_len(), 52);
        assert_eq!(HashAlgo::Sha256.base64_len(), 44);
        assert_eq!(HashAlgo::Sha1.base32_len(), 32);
        assert_eq!(HashAlgo::Sha1.base64_len(), 28);
        assert_eq!(HashAlgo::Md5.base32_len(), 26);
        assert_eq!(HashAlgo::Md5.base64_len(), 24);
        assert_eq!(HashAlgo::Sha512.base32_len(), 103);
        assert_eq!(HashAlgo::Sha512.base64_len(), 88);
    }

    #[test]
    fn well_known_digests() {
        assert_eq!(
            hash_bytes(HashAlgo::Sha256, b"").to_base16(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(hash_bytes(HashAlgo::Md5, b"abc").to_base16(), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(hash_bytes(HashAlgo::Sha1, b"abc").to_base16(), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn parse_all_forms_agree() {
        for algo in HashAlgo::ALL {
            let h = hash_bytes(algo, b"neve");
            let forms = [
                h.to_string_as(HashEncoding::Base16, false),
                h.to_string_as(HashEncoding::Base32, false),
                h.to_string_as(HashEncoding::Base64, false),
            ];
            for f in &forms {
                assert_eq!(Hash::parse_non_sri_unprefixed(f, algo).unwrap(), h, "{f}");
                assert_eq!(Hash::parse_any(f, Some(algo)).unwrap(), h);
                assert_eq!(Hash::parse_any_prefixed(&format!("{algo}:{f}")).unwrap(), h);
            }
            assert_eq!(Hash::parse_sri(&h.to_sri()).unwrap(), h);
            assert_eq!(Hash::parse_any(&h.to_sri(), None).unwrap(), h);
            assert_eq!(Hash::parse_any_prefixed(&h.to_sri()).unwrap(), h);
            // Upper-case hex is accepted.
            let upper = h.to_base16().to_uppercase();
            assert_eq!(Hash::parse_any(&upper, Some(algo)).unwrap(), h);
        }
    }

    #[test]
    fn parse_errors() {
        let h = hash_bytes(HashAlgo::Sha256, b"x");
        let b32 = h.to_base32();
        assert!(matches!(Hash::parse_any(&b32, None), Err(HashError::MissingAlgoNoContext(_))));
        assert!(matches!(Hash::parse_any_prefixed(&b32), Err(HashError::MissingAlgo(_))));
        assert!(matches!(
            Hash::parse_any(&format!("sha256:{b32}"), Some(HashAlgo::Sha1)),
            Err(HashError::AlgoMismatch { .. })
        ));
        assert!(matches!(Hash::parse_any(&b32[1..], Some(HashAlgo::Sha256)), Err(HashError::WrongLength { .. })));
        assert!(matches!(Hash::parse_any("sha257:abc", None), Err(HashError::UnknownAlgo(_))));
        // A base-32 string with an 'e' in it.
        let bad = format!("e{}", &b32[1..]);
        assert!(matches!(Hash::parse_any(&bad, Some(HashAlgo::Sha256)), Err(HashError::InvalidBase32(_))));
        // SRI with a digest of the wrong size.
        let sri_sha1 = hash_bytes(HashAlgo::Sha1, b"x").to_base64();
        assert!(matches!(Hash::parse_sri(&format!("sha256-{sri_sha1}")), Err(HashError::InvalidSri(_))));
        assert!(matches!(Hash::parse_sri(&b32), Err(HashError::NotSri(_))));
    }

    #[test]
    fn sri_without_padding_is_accepted() {
        let h = hash_bytes(HashAlgo::Sha256, b"pad");
        let sri = h.to_sri();
        let unpadded = sri.trim_end_matches('=');
        assert_ne!(sri, unpadded);
        assert_eq!(Hash::parse_sri(unpadded).unwrap(), h);
    }

    #[test]
    fn compress() {
        assert_eq!(compress_hash(&[1, 2, 3, 4, 5], 2), vec![1 ^ 3 ^ 5, 2 ^ 4]);
        assert_eq!(compress_hash(&[7, 8], 4), vec![7, 8, 0, 0]);
    }

    #[test]
    fn streaming_matches_one_shot() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        for algo in HashAlgo::ALL {
            let mut h = Hasher::new(algo);
            for chunk in data.chunks(77) {
                h.update(chunk);
            }
            assert_eq!(h.len(), data.len() as u64);
            assert_eq!(h.finish(), hash_bytes(algo, &data));
        }
    }
}
