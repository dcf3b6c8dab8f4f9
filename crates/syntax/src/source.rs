//! Nix source is bytes. The tree stores text, so bytes that are not UTF-8 are
//! mapped one to one onto characters of Unicode's last private-use plane
//! (U+10FF80 to U+10FFFF) and back. The mapping is applied only to input that
//! is not valid UTF-8, and [`crate::Parse::has_mapped_bytes`] says when it was.
//! Real characters of that range in such input are mapped byte by byte as
//! well, so that every stand-in in mapped text is one byte of the input.

const BASE: u32 = 0x10FF00;

/// Maps every byte that is not part of valid UTF-8 to its stand-in character.
pub fn map_bytes(src: &[u8]) -> String {
    let mut out = String::with_capacity(src.len() + 16);
    let stand_in = |b: u8| char::from_u32(BASE + b as u32).expect("a valid private-use code point");
    for chunk in src.utf8_chunks() {
        let valid = chunk.valid();
        // The borrowed range is encoded with a leading 0xF4: text without
        // that byte needs no look at its characters.
        if valid.as_bytes().contains(&0xF4) {
            for c in valid.chars() {
                if mapped_byte(c).is_some() {
                    out.extend(c.encode_utf8(&mut [0; 4]).bytes().map(stand_in));
                } else {
                    out.push(c);
                }
            }
        } else {
            out.push_str(valid);
        }
        out.extend(chunk.invalid().iter().copied().map(stand_in));
    }
    out
}

/// The stand-in character's byte, if `c` is one.
pub fn mapped_byte(c: char) -> Option<u8> {
    let c = c as u32;
    (BASE + 0x80..=BASE + 0xFF).contains(&c).then(|| (c - BASE) as u8)
}

/// Turns mapped text back into the original bytes.
pub fn unmap_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match mapped_byte(c) {
            Some(b) => out.push(b),
            None => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let src: &[u8] = b"\"a\xff\xfe b\" \xc3\xa9 \xe2\x82";
        let mapped = super::map_bytes(src);
        assert_eq!(super::unmap_bytes(&mapped), src);
    }

    #[test]
    fn round_trip_with_characters_of_the_borrowed_range() {
        // U+10FF80 and U+10FFFF themselves, beside stray bytes.
        for src in [&b"\xf4\x8f\xbe\x80\x80"[..], b"\"\xf4\x8f\xbf\xbf\xff\"", b"\xf4\x8f\xbd\xbf \xf4"] {
            let mapped = super::map_bytes(src);
            assert_eq!(super::unmap_bytes(&mapped), src);
        }
    }
}
