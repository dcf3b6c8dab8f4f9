//! The parts of a binary cache that do not touch the network or a file
//! system: `.narinfo` files, content addresses, hashing modulo a
//! self-reference, and rewriting a closure into content-addressed form
//! (Nix's `makeContentAddressed`).
//!
//! A binary cache is a directory (or URL) with `nix-cache-info`
//! (`StoreDir: /nix/store`), one `<hash part>.narinfo` per store path, and
//! the (possibly compressed) NARs the narinfo files name by `URL`.

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

use crate::daemon::PathInfo;
use crate::hash::{Hash, HashAlgo, Hasher};
use crate::store_path::{FileIngestionMethod, StoreDir, StorePath};

/// A `.narinfo` file (Nix's `NarInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarInfo {
    pub path: StorePath,
    /// Where the NAR is, relative to the cache.
    pub url: String,
    /// `none`, `xz`, `bzip2`, `gzip`, `zstd`, `br`, ...; bzip2 when absent.
    pub compression: String,
    pub file_hash: Option<Hash>,
    pub file_size: Option<u64>,
    pub nar_hash: Hash,
    pub nar_size: u64,
    pub references: BTreeSet<StorePath>,
    pub deriver: Option<StorePath>,
    pub signatures: BTreeSet<String>,
    /// The `CA` field as written (`fixed:r:sha256:...`, `text:sha256:...`).
    pub ca: Option<String>,
}

/// Why a `.narinfo` could not be read; the texts are Nix's.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("NAR info file '{whence}' is corrupt: {reason}")]
pub struct NarInfoError {
    pub whence: String,
    pub reason: String,
}

impl NarInfo {
    /// Parses a `.narinfo`; `whence` names it in errors.
    pub fn parse(dir: &StoreDir, text: &str, whence: &str) -> Result<NarInfo, NarInfoError> {
        let mut line = 1;
        let corrupt = |reason: &str, line: usize| NarInfoError {
            whence: whence.to_owned(),
            reason: if line > 0 { format!("{reason} at line {line}") } else { reason.to_owned() },
        };
        let parse_hash = |s: &str, line: usize| Hash::parse_any_prefixed(s).map_err(|_| corrupt("bad hash", line));
        let parse_path = |s: &str, line: usize| dir.parse_path(s).map_err(|_| corrupt("bad store path", line));
        let base_name = |s: &str, line: usize| StorePath::from_base_name(s).map_err(|_| corrupt("bad reference", line));
        let (mut path, mut url, mut compression) = (None, String::new(), None);
        let (mut file_hash, mut file_size, mut nar_hash, mut nar_size) = (None, None, None, 0u64);
        let (mut references, mut deriver, mut signatures, mut ca) = (BTreeSet::new(), None, BTreeSet::new(), None);
        let mut rest = text;
        while !rest.is_empty() {
            let colon = rest.find(':').ok_or_else(|| corrupt("expecting ':'", line))?;
            let name = &rest[..colon];
            let eol =
                rest.get(colon + 2..).and_then(|r| r.find('\n')).ok_or_else(|| corrupt("expecting '\\n'", line))?;
            let value = &rest[colon + 2..colon + 2 + eol];
            match name {
                "StorePath" => path = Some(parse_path(value, line)?),
                "URL" => url = value.to_owned(),
                "Compression" => {
                    compression = Some(if value.is_empty() { "bzip2".to_owned() } else { value.to_owned() })
                }
                "FileHash" => file_hash = Some(parse_hash(value, line)?),
                "FileSize" => file_size = Some(value.parse().map_err(|_| corrupt("invalid FileSize", line))?),
                "NarHash" => nar_hash = Some(parse_hash(value, line)?),
                "NarSize" => nar_size = value.parse().map_err(|_| corrupt("invalid NarSize", line))?,
                "References" => {
                    if !references.is_empty() {
                        return Err(corrupt("extra References", line));
                    }
                    for r in value.split(' ').filter(|r| !r.is_empty()) {
                        references.insert(base_name(r, line)?);
                    }
                }
                "Deriver" if value != "unknown-deriver" => deriver = Some(base_name(value, line)?),
                "Sig" => {
                    signatures.insert(value.to_owned());
                }
                "CA" => {
                    if ca.is_some() {
                        return Err(corrupt("extra CA", line));
                    }
                    if !value.is_empty() {
                        ContentAddress::parse(value).map_err(|_| corrupt("invalid CA", line))?;
                        ca = Some(value.to_owned());
                    }
                }
                _ => {}
            }
            rest = &rest[colon + 2 + eol + 1..];
            line += 1;
        }
        let missing = if path.is_none() {
            Some("StorePath missing")
        } else if nar_hash.is_none() {
            Some("NarHash missing")
        } else if url.is_empty() {
            Some("URL missing")
        } else if nar_size == 0 {
            Some("NarSize missing or zero")
        } else {
            None
        };
        if let Some(reason) = missing {
            return Err(corrupt(reason, 0));
        }
        Ok(NarInfo {
            path: path.expect("checked"),
            url,
            compression: compression.unwrap_or_else(|| "bzip2".to_owned()),
            file_hash,
            file_size,
            nar_hash: nar_hash.expect("checked"),
            nar_size,
            references,
            deriver,
            signatures,
            ca,
        })
    }

    /// The path information a store is given with the NAR.
    pub fn path_info(&self) -> PathInfo {
        PathInfo {
            path: self.path.clone(),
            deriver: self.deriver.clone(),
            nar_hash: self.nar_hash.clone(),
            references: self.references.clone(),
            registration_time: 0,
            nar_size: self.nar_size,
            ultimate: false,
            signatures: self.signatures.clone(),
            content_address: self.ca.clone(),
        }
    }
}

/// How a content-addressed object was hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaMethod {
    /// `text:`: a flat file (`toFile`, `.drv`), sha256, no self-reference.
    Text,
    /// `fixed:`: the file's contents.
    Flat,
    /// `fixed:r:`: the NAR.
    Nar,
    /// `fixed:git:`: a Git tree hash (not supported by neve).
    Git,
}

/// A content address (Nix's `ContentAddress`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentAddress {
    pub method: CaMethod,
    pub hash: Hash,
}

impl ContentAddress {
    /// Parses `text:sha256:<hash>`, `fixed:<r:|git:>?<algo>:<hash>`.
    pub fn parse(s: &str) -> Result<ContentAddress, String> {
        let bad = || format!("'{s}' is not a valid content address");
        let (kind, rest) = s.split_once(':').ok_or_else(bad)?;
        let (method, rest) = match kind {
            "text" => (CaMethod::Text, rest),
            "fixed" => match rest.split_once(':') {
                Some(("r", r)) => (CaMethod::Nar, r),
                Some(("git", r)) => (CaMethod::Git, r),
                _ => (CaMethod::Flat, rest),
            },
            _ => return Err(bad()),
        };
        let (algo, digest) = rest.split_once(':').ok_or_else(bad)?;
        let algo = HashAlgo::from_name(algo).ok_or_else(bad)?;
        if method == CaMethod::Text && algo != HashAlgo::Sha256 {
            return Err(bad());
        }
        let hash = Hash::parse_non_sri_unprefixed(digest, algo).map_err(|_| bad())?;
        Ok(ContentAddress { method, hash })
    }

    /// The store path this address gives an object named `name` with these
    /// references (which may include `path` itself, a self-reference); `None`
    /// when no such path exists (Nix's `makeFixedOutputPathFromCA`).
    pub fn store_path(&self, dir: &StoreDir, path: &StorePath, references: &BTreeSet<StorePath>) -> Option<StorePath> {
        let mut others = references.clone();
        let has_self = others.remove(path);
        let name = path.name();
        match self.method {
            CaMethod::Text if !has_self => dir.make_text_path(name, &self.hash, &others).ok(),
            CaMethod::Nar if self.hash.algo() == HashAlgo::Sha256 => {
                dir.make_source_path(name, &self.hash, &others, has_self).ok()
            }
            CaMethod::Nar | CaMethod::Flat if others.is_empty() && !has_self => {
                let method = if self.method == CaMethod::Nar {
                    FileIngestionMethod::Recursive
                } else {
                    FileIngestionMethod::Flat
                };
                dir.make_fixed_output_path(method, &self.hash, name, &others, false).ok()
            }
            _ => None,
        }
    }
}

/// Whether `info` really is content-addressed: it has a content address
/// from which its path follows (Nix's `ValidPathInfo::isContentAddressed`).
pub fn is_content_addressed(dir: &StoreDir, info: &PathInfo) -> bool {
    let Some(ca) = info.content_address.as_deref().and_then(|c| ContentAddress::parse(c).ok()) else {
        return false;
    };
    ca.store_path(dir, &info.path, &info.references).as_ref() == Some(&info.path)
}

/// `data` with every occurrence of `from` replaced by `to` (same length),
/// left to right; gives the positions replaced.
fn rewrite_in_place(data: &mut [u8], from: &[u8], to: &[u8]) -> Vec<usize> {
    debug_assert_eq!(from.len(), to.len());
    let mut found = Vec::new();
    if from.is_empty() || from == to {
        return found;
    }
    let mut i = 0;
    while i + from.len() <= data.len() {
        if &data[i..i + from.len()] == from {
            data[i..i + from.len()].copy_from_slice(to);
            found.push(i);
            i += from.len();
        } else {
            i += 1;
        }
    }
    found
}

/// The hash of `data` with each occurrence of `modulus` (a store path's hash
/// part) zeroed, followed by `|<offset>` for each occurrence (Nix's
/// `HashModuloSink`): how a content-addressed object with a
/// self-reference is hashed.
pub fn hash_modulo(algo: HashAlgo, data: &[u8], modulus: &str) -> Hash {
    let mut zeroed = data.to_vec();
    let zeros = vec![0u8; modulus.len()];
    let found = rewrite_in_place(&mut zeroed, modulus.as_bytes(), &zeros);
    let mut h = Hasher::new(algo);
    h.update(&zeroed);
    for pos in found {
        h.update(format!("|{pos}").as_bytes());
    }
    h.finish()
}

/// The single file of a NAR made by flat ingestion: its contents, or `None`
/// when the NAR is not one regular file.
fn flat_contents(nar: &[u8]) -> Option<Vec<u8>> {
    match crate::nar::read_nar(nar).ok()? {
        crate::nar::NarNode::Regular { contents, .. } => Some(contents),
        _ => None,
    }
}

/// Recomputes the content address of an object from its NAR, as a store
/// checks it on import; `Err` gives the hash found (in the address's
/// algorithm) or why it cannot be computed.
pub fn check_content_address(path: &StorePath, ca: &ContentAddress, nar: &[u8]) -> Result<(), Result<Hash, String>> {
    let modulus = path.hash_part();
    let actual = match ca.method {
        CaMethod::Nar => hash_modulo(ca.hash.algo(), nar, modulus),
        CaMethod::Flat | CaMethod::Text => match flat_contents(nar) {
            Some(contents) => hash_modulo(ca.hash.algo(), &contents, modulus),
            None => return Err(Err("the NAR is not a single regular file".to_owned())),
        },
        CaMethod::Git => return Err(Err("Git content addresses are not supported by neve".to_owned())),
    };
    if actual == ca.hash {
        Ok(())
    } else {
        Err(Ok(actual))
    }
}

/// One object of a closure to rewrite: its path, references and NAR.
pub struct ClosureObject<'a> {
    pub path: StorePath,
    pub references: &'a BTreeSet<StorePath>,
    pub nar: &'a [u8],
}

/// One rewritten object: its new path info (content-addressed, no
/// signatures, no deriver) and NAR.
pub struct Rewritten {
    pub from: StorePath,
    pub info: PathInfo,
    pub nar: Vec<u8>,
}

/// Nix's `makeContentAddressed`: each object of a closure (given references
/// first) becomes a `fixed:r:sha256` object whose references are the
/// rewritten references; a self-reference is hashed modulo and then set to
/// the new hash part. Gives the rewritten objects in the same order.
pub fn make_content_addressed(dir: &StoreDir, objects: &[ClosureObject<'_>]) -> Vec<Rewritten> {
    let mut remappings: BTreeMap<StorePath, StorePath> = BTreeMap::new();
    let mut out = Vec::with_capacity(objects.len());
    for object in objects {
        let old_hash_part = object.path.hash_part();
        let mut rewrites: BTreeMap<String, String> = BTreeMap::new();
        let mut others = BTreeSet::new();
        let mut has_self = false;
        for r in object.references {
            if *r == object.path {
                has_self = true;
                continue;
            }
            let replacement = remappings.get(r).cloned().unwrap_or_else(|| r.clone());
            if replacement != *r {
                rewrites.insert(dir.print_path(r), dir.print_path(&replacement));
            }
            others.insert(replacement);
        }
        let mut nar = object.nar.to_vec();
        for (from, to) in &rewrites {
            rewrite_in_place(&mut nar, from.as_bytes(), to.as_bytes());
        }
        let modulo_hash = hash_modulo(HashAlgo::Sha256, &nar, old_hash_part);
        let new_path = dir
            .make_source_path(object.path.name(), &modulo_hash, &others, has_self)
            .expect("the name was valid before");
        rewrite_in_place(&mut nar, old_hash_part.as_bytes(), new_path.hash_part().as_bytes());
        let mut references = others;
        if has_self {
            references.insert(new_path.clone());
        }
        let nar_hash = crate::hash::hash_bytes(HashAlgo::Sha256, &nar);
        let info = PathInfo {
            path: new_path.clone(),
            deriver: None,
            nar_hash,
            references,
            registration_time: 0,
            nar_size: nar.len() as u64,
            ultimate: false,
            signatures: BTreeSet::new(),
            content_address: Some(crate::daemon::fixed_content_address(FileIngestionMethod::Recursive, &modulo_hash)),
        };
        remappings.insert(object.path.clone(), new_path);
        out.push(Rewritten { from: object.path.clone(), info, nar });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narinfo_fields_and_errors() {
        let dir = StoreDir::default();
        let text = "StorePath: /nix/store/7h7qgvs4kgzsn8a6rb273saxyqh4jxlz-a\nURL: nar/x.nar.xz\nCompression: xz\n\
                    NarHash: sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s\nNarSize: 120\n\
                    References: 7h7qgvs4kgzsn8a6rb273saxyqh4jxlz-a\nDeriver: unknown-deriver\nSig: k:abc\n";
        let info = NarInfo::parse(&dir, text, "x.narinfo").unwrap();
        assert_eq!(info.compression, "xz");
        assert_eq!(info.nar_size, 120);
        assert!(info.references.contains(&info.path));
        assert_eq!(info.deriver, None);
        let e = NarInfo::parse(&dir, "URL: a\n", "y.narinfo").unwrap_err();
        assert_eq!(e.to_string(), "NAR info file 'y.narinfo' is corrupt: StorePath missing");
        let e = NarInfo::parse(&dir, "URL a\n", "y.narinfo").unwrap_err();
        assert_eq!(e.to_string(), "NAR info file 'y.narinfo' is corrupt: expecting ':' at line 1");
    }

    #[test]
    fn hash_modulo_zeroes_and_counts_positions() {
        let data = b"xxabcyyabc";
        let plain = crate::hash::hash_bytes(HashAlgo::Sha256, b"xx\0\0\0yy\0\0\0|2|7");
        assert_eq!(hash_modulo(HashAlgo::Sha256, data, "abc"), plain);
        assert_eq!(hash_modulo(HashAlgo::Sha256, b"none", "abc"), crate::hash::hash_bytes(HashAlgo::Sha256, b"none"));
    }

    #[test]
    fn content_address_forms() {
        let ca = ContentAddress::parse("fixed:r:sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s").unwrap();
        assert_eq!(ca.method, CaMethod::Nar);
        assert_eq!(
            ContentAddress::parse("fixed:sha1:0000000000000000000000000000000000000000").unwrap().method,
            CaMethod::Flat
        );
        assert!(ContentAddress::parse("text:sha1:0000000000000000000000000000000000000000").is_err());
        assert!(ContentAddress::parse("bogus").is_err());
    }
}
