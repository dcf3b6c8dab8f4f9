//! Nix's own base-32 encoding.
//!
//! Nix writes hashes in base 32 with the alphabet `0123456789abcdfghijklmnpqrsvwxyz`
//! (no `e`, `o`, `u`, `t`) and takes the bits from the end of the byte string: the
//! first character holds the highest bits of the last byte. This is not RFC 4648.

use thiserror::Error;

/// The 32 characters, in digit order.
pub const ALPHABET: &[u8; 32] = b"0123456789abcdfghijklmnpqrsvwxyz";

/// Why a string is not valid Nix base-32.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Base32Error {
    #[error("invalid character '{}' in base-32 string", char::from(*.0))]
    InvalidCharacter(u8),
    #[error("base-32 string of length {0} does not encode a whole number of bytes")]
    InvalidLength(usize),
    #[error("base-32 string has non-zero padding bits")]
    NonZeroPadding,
}

/// Number of characters needed to encode `byte_len` bytes.
pub const fn encoded_len(byte_len: usize) -> usize {
    if byte_len == 0 {
        0
    } else {
        (byte_len * 8 - 1) / 5 + 1
    }
}

/// Number of bytes encoded by a string of `char_len` characters, if that length is
/// one `encode` can produce.
pub fn decoded_len(char_len: usize) -> Option<usize> {
    let bytes = char_len * 5 / 8;
    (encoded_len(bytes) == char_len).then_some(bytes)
}

/// Encodes bytes in Nix base-32.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = vec![0u8; encoded_len(bytes.len())];
    encode_into(bytes, &mut out);
    String::from_utf8(out).expect("the alphabet is ASCII")
}

/// Encodes bytes in Nix base-32 into `out`, which must be exactly
/// [`encoded_len`]`(bytes.len())` long.
pub fn encode_into(bytes: &[u8], out: &mut [u8]) {
    let len = out.len();
    debug_assert_eq!(len, encoded_len(bytes.len()));
    if let (Ok(digest), Ok(out)) = (bytes.try_into(), <&mut [u8; 32]>::try_from(&mut *out)) {
        encode_store_digest(digest, out);
        return;
    }
    encode_general(bytes, out);
}

/// [`encode_into`] for any length, a character at a time.
fn encode_general(bytes: &[u8], out: &mut [u8]) {
    let len = out.len();
    for (k, c) in out.iter_mut().enumerate() {
        let bit = (len - 1 - k) * 5;
        let i = bit / 8;
        let j = bit % 8;
        let low = u16::from(bytes[i]) >> j;
        let high = bytes.get(i + 1).map_or(0, |&b| u16::from(b) << (8 - j));
        *c = ALPHABET[usize::from((low | high) & 0x1f)];
    }
}

/// [`encode_into`] for the 20 bytes of a store path's digest (the hash
/// part of every store path made or parsed). Forty bits are five bytes and
/// eight characters, so the digest is encoded as four independent words.
fn encode_store_digest(bytes: &[u8; 20], out: &mut [u8; 32]) {
    for (g, group) in bytes.chunks_exact(5).enumerate() {
        let mut word = [0u8; 8];
        word[..5].copy_from_slice(group);
        let w = u64::from_le_bytes(word);
        // Character `n` of the group holds bits `5n..5n + 5`; the text
        // starts with the highest bits.
        for n in 0..8 {
            out[31 - 8 * g - n] = ALPHABET[((w >> (5 * n)) & 0x1f) as usize];
        }
    }
}

/// [`decode_into`] for the 32 characters of a store path's hash part
/// (which encode exactly 160 bits: no padding to check), a word of five
/// bytes per eight characters as [`encode_store_digest`].
fn decode_store_digest(s: &[u8; 32], out: &mut [u8; 20]) -> Result<(), Base32Error> {
    // From the end, as the general decoder: the same invalid character is
    // reported.
    for (g, group) in out.chunks_exact_mut(5).enumerate() {
        let mut w = 0u64;
        for n in 0..8 {
            let c = s[31 - 8 * g - n];
            let digit = digit_value(c).ok_or(Base32Error::InvalidCharacter(c))?;
            w |= u64::from(digit) << (5 * n);
        }
        group.copy_from_slice(&w.to_le_bytes()[..5]);
    }
    Ok(())
}

/// The digit of each byte, or 0xff for bytes outside the alphabet.
const DIGITS: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut d = 0;
    while d < 32 {
        t[ALPHABET[d] as usize] = d as u8;
        d += 1;
    }
    t
};

/// Value of one base-32 character, if it is in the alphabet.
pub fn digit_value(c: u8) -> Option<u8> {
    let d = DIGITS[usize::from(c)];
    (d != 0xff).then_some(d)
}

/// Decodes a Nix base-32 string. The length must be one that `encode` produces,
/// and the unused high bits must be zero (as Nix requires).
pub fn decode(s: &[u8]) -> Result<Vec<u8>, Base32Error> {
    let len = decoded_len(s.len()).ok_or(Base32Error::InvalidLength(s.len()))?;
    let mut out = vec![0u8; len];
    decode_into(s, &mut out)?;
    Ok(out)
}

/// [`decode`] into `out`, which must be exactly as long as the decoded bytes.
pub fn decode_into(s: &[u8], out: &mut [u8]) -> Result<(), Base32Error> {
    let len = decoded_len(s.len()).ok_or(Base32Error::InvalidLength(s.len()))?;
    if out.len() != len {
        return Err(Base32Error::InvalidLength(s.len()));
    }
    if let (Ok(s), Ok(out)) = (s.try_into(), <&mut [u8; 20]>::try_from(&mut *out)) {
        return decode_store_digest(s, out);
    }
    decode_general(s, out)
}

/// [`decode_into`] for any length, a character at a time; `out` has the
/// decoded length.
fn decode_general(s: &[u8], out: &mut [u8]) -> Result<(), Base32Error> {
    let len = out.len();
    out.fill(0);
    for (n, &c) in s.iter().rev().enumerate() {
        let digit = digit_value(c).ok_or(Base32Error::InvalidCharacter(c))?;
        let bit = n * 5;
        let i = bit / 8;
        let j = bit % 8;
        out[i] |= digit << j;
        let carry = u16::from(digit) >> (8 - j);
        if i + 1 < len {
            out[i + 1] |= carry as u8;
        } else if carry != 0 {
            return Err(Base32Error::NonZeroPadding);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(encoded_len(0), 0);
        assert_eq!(encoded_len(1), 2);
        assert_eq!(encoded_len(16), 26);
        assert_eq!(encoded_len(20), 32);
        assert_eq!(encoded_len(32), 52);
        assert_eq!(encoded_len(64), 103);
        assert_eq!(decoded_len(52), Some(32));
        assert_eq!(decoded_len(51), None);
    }

    #[test]
    fn known_values() {
        assert_eq!(encode(&[]), "");
        assert_eq!(encode(&[0x1f]), "0z");
        assert_eq!(encode(&[0xff]), "7z");
        assert_eq!(decode(b"7z").unwrap(), vec![0xff]);
        // 0x100 does not fit in one byte.
        assert_eq!(decode(b"80"), Err(Base32Error::NonZeroPadding));
        assert_eq!(decode(b"0e"), Err(Base32Error::InvalidCharacter(b'e')));
        assert_eq!(decode(b"000"), Err(Base32Error::InvalidLength(3)));
    }

    #[test]
    fn store_digests_as_the_general_code() {
        for seed in 0..200u32 {
            let bytes: [u8; 20] =
                std::array::from_fn(|i| (seed.wrapping_mul(2_654_435_761) >> (i % 24)) as u8 ^ i as u8);
            let (mut fast, mut general) = ([0u8; 32], [0u8; 32]);
            encode_into(&bytes, &mut fast);
            encode_general(&bytes, &mut general);
            assert_eq!(fast, general);
            let (mut back_fast, mut back_general) = ([0u8; 20], [0u8; 20]);
            decode_into(&fast, &mut back_fast).unwrap();
            decode_general(&general, &mut back_general).unwrap();
            assert_eq!((back_fast, back_general), (bytes, bytes));
        }
        let mut bad = *b"0123456789abcdfghijklmnpqrsvwxyz";
        bad[3] = b'e';
        bad[20] = b'u';
        let mut out = [0u8; 20];
        assert_eq!(decode_into(&bad, &mut out), decode_general(&bad, &mut out));
        assert_eq!(decode_into(&bad, &mut out), Err(Base32Error::InvalidCharacter(b'u')));
    }

    #[test]
    fn round_trip_all_lengths() {
        for len in 0..70usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let enc = encode(&bytes);
            assert_eq!(enc.len(), encoded_len(len));
            assert_eq!(decode(enc.as_bytes()).unwrap(), bytes, "length {len}");
        }
    }
}
