//! Nix strings: bytes with a context (the store paths they depend on).

use std::cell::Cell;
use std::collections::BTreeSet;

/// One dependency a string carries.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StringContextElem {
    /// A plain store path (a source, a `toFile` result).
    Opaque(Box<[u8]>),
    /// One output of a derivation: `(drv path, output name)`.
    Built { drv: Box<[u8]>, output: Box<[u8]> },
    /// The derivation itself and all its outputs (`drvPath`).
    DrvDeep(Box<[u8]>),
}

/// The context of a string, ordered as CppNix orders it.
pub type StringContext = BTreeSet<StringContextElem>;

/// A Nix string value. Its context is kept as a sorted slice: most
/// contexts have one element, and a set's tree node would take hundreds of
/// bytes for it.
#[derive(Debug, Clone, Default)]
pub struct NixString {
    bytes: Box<[u8]>,
    context: Option<Box<[StringContextElem]>>,
    /// The symbol of these bytes, once interned as an attribute name (see
    /// [`crate::symbol::Interner::intern_cached`]): names taken from the
    /// same string again (`x.${n}`, `listToAttrs`) are not hashed again.
    symbol: Cell<u64>,
}

impl PartialEq for NixString {
    fn eq(&self, other: &NixString) -> bool {
        self.bytes == other.bytes && self.context == other.context
    }
}

impl Eq for NixString {}

impl NixString {
    pub fn new(bytes: impl Into<Box<[u8]>>, context: Option<StringContext>) -> NixString {
        let context = context.filter(|c| !c.is_empty()).map(|c| c.into_iter().collect());
        NixString { bytes: bytes.into(), context, symbol: Cell::new(0) }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// `bytes` with the context of `other`.
    pub fn with_context_of(bytes: impl Into<Box<[u8]>>, other: &NixString) -> NixString {
        NixString { bytes: bytes.into(), context: other.context.clone(), symbol: Cell::new(0) }
    }

    /// The context as a set, to add to.
    pub fn context_set(&self) -> Option<StringContext> {
        self.context.as_deref().map(|c| c.iter().cloned().collect())
    }

    /// The context's elements, in order, if there are any.
    pub fn context(&self) -> Option<&[StringContextElem]> {
        self.context.as_deref()
    }

    /// Where the string remembers its symbol as an attribute name.
    pub fn symbol_cache(&self) -> &Cell<u64> {
        &self.symbol
    }

    pub fn has_context(&self) -> bool {
        self.context.is_some()
    }

    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }
}

impl From<&str> for NixString {
    fn from(s: &str) -> NixString {
        NixString::new(s.as_bytes(), None)
    }
}

impl From<String> for NixString {
    fn from(s: String) -> NixString {
        NixString::new(s.into_bytes(), None)
    }
}

impl From<Vec<u8>> for NixString {
    fn from(b: Vec<u8>) -> NixString {
        NixString::new(b, None)
    }
}

impl From<&[u8]> for NixString {
    fn from(b: &[u8]) -> NixString {
        NixString::new(b, None)
    }
}
