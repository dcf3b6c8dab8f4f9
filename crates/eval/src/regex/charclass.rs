//! Byte sets and the "C" locale tables that bracket expressions consult.
//!
//! CppNix constructs `std::regex` with the default (classic "C") locale, so
//! character classes are ASCII-only: bytes `>= 0x80` belong to no class.
//! Collating-element names are libstdc++'s POSIX table, which names the 128
//! ASCII characters (`[[.space.]]`, `[[.hyphen.]]`, `[[.a.]]`, ...).

/// A set of bytes, one bit per byte value.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ByteSet([u64; 4]);

impl ByteSet {
    pub(crate) fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1u64 << (b & 63);
    }

    pub(crate) fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1u64 << (b & 63)) != 0
    }

    pub(crate) fn single(b: u8) -> Self {
        let mut s = Self::default();
        s.insert(b);
        s
    }

    /// What POSIX-mode `.` matches in libstdc++: every byte but NUL.
    pub(crate) fn any_but_nul() -> Self {
        let mut s = Self([u64::MAX; 4]);
        s.0[0] &= !1;
        s
    }
}

impl std::fmt::Debug for ByteSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = f.debug_list();
        for b in 0..=255u8 {
            if self.contains(b) {
                l.entry(&(b as char));
            }
        }
        l.finish()
    }
}

/// A `ctype_base`-style class mask, plus the `_` that `[[:w:]]` adds.
pub(crate) type ClassMask = u16;

const UPPER: ClassMask = 1 << 0;
const LOWER: ClassMask = 1 << 1;
const DIGIT: ClassMask = 1 << 2;
const XDIGIT: ClassMask = 1 << 3;
const SPACE: ClassMask = 1 << 4;
const BLANK: ClassMask = 1 << 5;
const CNTRL: ClassMask = 1 << 6;
const PRINT: ClassMask = 1 << 7;
const PUNCT: ClassMask = 1 << 8;
const UNDERSCORE: ClassMask = 1 << 9;
const ALPHA: ClassMask = UPPER | LOWER;
const ALNUM: ClassMask = ALPHA | DIGIT;
const GRAPH: ClassMask = ALNUM | PUNCT;

/// The classes of byte `b` in the "C" locale.
fn classes_of(b: u8) -> ClassMask {
    let mut m = 0;
    if b.is_ascii_uppercase() {
        m |= UPPER;
    }
    if b.is_ascii_lowercase() {
        m |= LOWER;
    }
    if b.is_ascii_digit() {
        m |= DIGIT;
    }
    if b.is_ascii_hexdigit() {
        m |= XDIGIT;
    }
    if matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        m |= SPACE;
    }
    if matches!(b, b' ' | b'\t') {
        m |= BLANK;
    }
    if b < 0x20 || b == 0x7f {
        m |= CNTRL;
    }
    if (0x20..0x7f).contains(&b) {
        m |= PRINT;
    }
    if b.is_ascii_punctuation() {
        m |= PUNCT;
    }
    m
}

/// Whether `b` is in any of the classes of `mask` (libstdc++'s
/// `regex_traits::isctype`).
pub(crate) fn is_class(b: u8, mask: ClassMask) -> bool {
    classes_of(b) & mask != 0 || (mask & UNDERSCORE != 0 && b == b'_')
}

/// `regex_traits::lookup_classname`: the name is lower-cased first; 0 means
/// unknown.
pub(crate) fn lookup_class(name: &[u8]) -> ClassMask {
    let lower: Vec<u8> = name.iter().map(u8::to_ascii_lowercase).collect();
    match lower.as_slice() {
        b"d" | b"digit" => DIGIT,
        b"w" => ALNUM | UNDERSCORE,
        b"s" | b"space" => SPACE,
        b"alnum" => ALNUM,
        b"alpha" => ALPHA,
        b"blank" => BLANK,
        b"cntrl" => CNTRL,
        b"graph" => GRAPH,
        b"lower" => LOWER,
        b"print" => PRINT,
        b"punct" => PUNCT,
        b"upper" => UPPER,
        b"xdigit" => XDIGIT,
        _ => 0,
    }
}

/// Names of the ASCII characters, indexed by code, as libstdc++'s
/// `regex_traits::lookup_collatename` knows them.
const COLLATE_NAMES: [&str; 128] = [
    "NUL",
    "SOH",
    "STX",
    "ETX",
    "EOT",
    "ENQ",
    "ACK",
    "alert",
    "backspace",
    "tab",
    "newline",
    "vertical-tab",
    "form-feed",
    "carriage-return",
    "SO",
    "SI",
    "DLE",
    "DC1",
    "DC2",
    "DC3",
    "DC4",
    "NAK",
    "SYN",
    "ETB",
    "CAN",
    "EM",
    "SUB",
    "ESC",
    "IS4",
    "IS3",
    "IS2",
    "IS1",
    "space",
    "exclamation-mark",
    "quotation-mark",
    "number-sign",
    "dollar-sign",
    "percent-sign",
    "ampersand",
    "apostrophe",
    "left-parenthesis",
    "right-parenthesis",
    "asterisk",
    "plus-sign",
    "comma",
    "hyphen",
    "period",
    "slash",
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "colon",
    "semicolon",
    "less-than-sign",
    "equals-sign",
    "greater-than-sign",
    "question-mark",
    "commercial-at",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "Q",
    "R",
    "S",
    "T",
    "U",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "left-square-bracket",
    "backslash",
    "right-square-bracket",
    "circumflex",
    "underscore",
    "grave-accent",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "left-curly-bracket",
    "vertical-line",
    "right-curly-bracket",
    "tilde",
    "DEL",
];

/// The character a collating-element name stands for, if it is known.
pub(crate) fn lookup_collate(name: &[u8]) -> Option<u8> {
    COLLATE_NAMES.iter().position(|n| n.as_bytes() == name).map(|i| i as u8)
}

/// The bracket-expression matcher as libstdc++'s `_BracketMatcher` builds
/// it, evaluated once into a [`ByteSet`].
#[derive(Default)]
pub(crate) struct BracketBuilder {
    chars: Vec<u8>,
    /// Ranges compare as (signed) `char`, as in libstdc++ on x86.
    ranges: Vec<(i8, i8)>,
    classes: ClassMask,
    /// Equivalence classes: a lower-cased character each.
    equivs: Vec<u8>,
}

impl BracketBuilder {
    pub(crate) fn add_char(&mut self, c: u8) {
        self.chars.push(c);
    }

    /// `_M_make_range`: `false` when the range is reversed (as `char`).
    pub(crate) fn add_range(&mut self, lo: u8, hi: u8) -> bool {
        let (lo, hi) = (lo as i8, hi as i8);
        if lo > hi {
            return false;
        }
        self.ranges.push((lo, hi));
        true
    }

    /// `false` when the class name is unknown.
    pub(crate) fn add_class(&mut self, name: &[u8]) -> bool {
        let mask = lookup_class(name);
        self.classes |= mask;
        mask != 0
    }

    pub(crate) fn add_equiv(&mut self, c: u8) {
        self.equivs.push(c.to_ascii_lowercase());
    }

    pub(crate) fn finish(&self, negated: bool) -> ByteSet {
        let mut set = ByteSet::default();
        for b in 0..=255u8 {
            let c = b as i8;
            let hit = self.chars.contains(&b)
                || self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
                || is_class(b, self.classes)
                || self.equivs.contains(&b.to_ascii_lowercase());
            if hit != negated {
                set.insert(b);
            }
        }
        set
    }
}
