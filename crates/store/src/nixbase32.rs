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
    for (k, c) in out.iter_mut().enumerate() {
        let bit = (len - 1 - k) * 5;
        let i = bit / 8;
        let j = bit % 8;
        let low = u16::from(bytes[i]) >> j;
        let high = bytes.get(i + 1).map_or(0, |&b| u16::from(b) << (8 - j));
        *c = ALPHABET[usize::from((low | high) & 0x1f)];
    }
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
    fn round_trip_all_lengths() {
        for len in 0..70usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let enc = encode(&bytes);
            assert_eq!(enc.len(), encoded_len(len));
            assert_eq!(decode(enc.as_bytes()).unwrap(), bytes, "length {len}");
        }
    }
}
