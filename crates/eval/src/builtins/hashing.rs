//! Hashes: `hashFile` and `convertHash` (`hashString` lives with the
//! string builtins).

use std::path::Path;

use neve_store::hash::{hash_bytes, Hash, HashAlgo, HashEncoding, HashError};

use super::args::{self, err};
use super::json::string_no_context;
use super::{native, PrimOp};
use crate::error::{ErrorKind, EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::{Attrs, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[native("hashFile", 2, hash_file), native("convertHash", 1, convert_hash)];

/// CppNix's `parseHashAlgo`.
pub(crate) fn parse_algo(name: &[u8]) -> EvalResult<HashAlgo> {
    std::str::from_utf8(name).ok().and_then(HashAlgo::from_name).ok_or_else(|| {
        EvalError::new(
            ErrorKind::Usage,
            format!(
                "unknown hash algorithm '{}', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'",
                String::from_utf8_lossy(name)
            ),
        )
    })
}

/// CppNix's `parseHashFormat` (warning about the `base32` alias).
pub(crate) fn parse_format(state: &EvalState, name: &[u8]) -> EvalResult<HashEncoding> {
    Ok(match name {
        b"base16" => HashEncoding::Base16,
        b"nix32" => HashEncoding::Base32,
        b"base32" => {
            state.io.warn("warning: \"base32\" is a deprecated alias for hash format \"nix32\".\n");
            HashEncoding::Base32
        }
        b"base64" => HashEncoding::Base64,
        b"sri" => HashEncoding::Sri,
        other => {
            return Err(err(format!(
                "unknown hash format '{}', expect 'base16', 'base32', 'base64', or 'sri'",
                String::from_utf8_lossy(other)
            )))
        }
    })
}

fn hash_file(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let algo = co.force(a[0].clone()).await?;
        let algo =
            string_no_context(&co.state, &algo, "while evaluating the first argument passed to builtins.hashFile")?;
        let algo = parse_algo(algo.as_bytes())?;
        let path = super::paths::path_arg(&co, a[1].clone()).await?;
        let bytes = co.state.io.read_file(Path::new(&path)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => err(format!("path '{path}' does not exist")),
            _ => err(format!("reading file '{path}': {e}")),
        })?;
        Ok(Value::string(hash_bytes(algo, &bytes).to_base16()))
    })
}

/// A string attribute of `convertHash`'s argument, without context.
async fn string_attr(co: &Co, set: &Attrs, name: &str, required: bool) -> EvalResult<Option<Vec<u8>>> {
    let Some(v) = set.get(co.state.intern(name)).cloned() else {
        if required {
            return Err(err(format!("attribute '{name}' missing"))
                .with_frame(format!("while locating the attribute '{name}'"), None));
        }
        return Ok(None);
    };
    let v = co.force(v).await?;
    let s = string_no_context(&co.state, &v, &format!("while evaluating the attribute '{name}'"))?;
    Ok(Some(s.as_bytes().to_vec()))
}

fn convert_hash(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let set = co.force(a[0].clone()).await?;
        let set = args::attrs(&co.state, &set)
            .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.convertHash", None))?
            .clone();
        let hash = string_attr(&co, &set, "hash", true).await?.unwrap_or_default();
        let algo = match string_attr(&co, &set, "hashAlgo", false).await? {
            Some(name) => Some(parse_algo(&name)?),
            None => None,
        };
        let format = string_attr(&co, &set, "toHashFormat", true).await?.unwrap_or_default();
        let format = parse_format(&co.state, &format)?;
        let hash = parse_any(&hash, algo)?;
        Ok(Value::string(hash.to_string_as(format, format == HashEncoding::Sri)))
    })
}

/// CppNix's `Hash::parseAny`: `algo:digest`, SRI, or a bare digest of the
/// given algorithm.
pub(crate) fn parse_any(s: &[u8], algo: Option<HashAlgo>) -> EvalResult<Hash> {
    let text = String::from_utf8_lossy(s);
    // An unknown algorithm before the separator is reported as CppNix does.
    if let Some((prefix, _)) = text.split_once(':').or_else(|| text.split_once('-')) {
        parse_algo(prefix.as_bytes())?;
    }
    Hash::parse_any(&text, algo).map_err(|e| {
        EvalError::eval(match e {
            // Current CppNix's wording.
            HashError::WrongLength { hash, algo } => {
                format!("hash '{hash}' has wrong length for hash algorithm '{algo}'")
            }
            e => e.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256_EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn convert(hash: &str, algo: Option<HashAlgo>, to: HashEncoding) -> String {
        parse_any(hash.as_bytes(), algo).unwrap().to_string_as(to, to == HashEncoding::Sri)
    }

    #[test]
    fn converts_between_formats() {
        let sri = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let nix32 = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
        assert_eq!(convert(SHA256_EMPTY, Some(HashAlgo::Sha256), HashEncoding::Sri), sri);
        assert_eq!(convert(sri, None, HashEncoding::Base16), SHA256_EMPTY);
        assert_eq!(convert(&format!("sha256:{SHA256_EMPTY}"), None, HashEncoding::Base32), nix32);
        assert_eq!(
            convert(nix32, Some(HashAlgo::Sha256), HashEncoding::Base64),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(
            convert("md5:1B2M2Y8AsgTpgAmY7PhCfg==", None, HashEncoding::Base16),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse_any(SHA256_EMPTY.as_bytes(), None).is_err());
        let e = parse_any(b"foo:abc", None).unwrap_err();
        assert_eq!(e.message, "unknown hash algorithm 'foo', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'");
        assert!(parse_any(b"sha256:abc", None).is_err());
        assert!(parse_algo(b"sha3").is_err());
    }
}
