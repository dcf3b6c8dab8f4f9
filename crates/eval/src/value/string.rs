//! Nix strings: bytes with a context (the store paths they depend on).

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

/// A Nix string value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NixString {
    bytes: Box<[u8]>,
    context: Option<Box<StringContext>>,
}

impl NixString {
    pub fn new(bytes: impl Into<Box<[u8]>>, context: Option<StringContext>) -> NixString {
        NixString { bytes: bytes.into(), context: context.filter(|c| !c.is_empty()).map(Box::new) }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn context(&self) -> Option<&StringContext> {
        self.context.as_deref()
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
