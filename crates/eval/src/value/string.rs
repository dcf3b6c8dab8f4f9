//! Nix strings: bytes with a context (the store paths they depend on).

use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;

use super::thin::ThinRc;

/// One dependency a string carries. The paths are shared, not copied: a
/// derivation's `drvPath` and each of its outputs name the same `.drv`, and
/// every string made from them (interpolations, `toString`) carries their
/// context on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StringContextElem {
    /// A plain store path (a source, a `toFile` result).
    Opaque(Rc<[u8]>),
    /// One output of a derivation: `(drv path, output name)`.
    Built { drv: Rc<[u8]>, output: Rc<[u8]> },
    /// The derivation itself and all its outputs (`drvPath`).
    DrvDeep(Rc<[u8]>),
}

/// The context of a string, ordered as CppNix orders it.
pub type StringContext = BTreeSet<StringContextElem>;

/// A Nix string value: a shared handle to its bytes and context, kept in
/// one allocation (the count, the length, the header, then the bytes), so
/// a short string takes 40 bytes and a clone is a counter increment. The
/// context is a sorted slice: most contexts have one element, and a set's
/// tree node would take hundreds of bytes for it; it sits behind a second
/// box to keep the header small for the many strings without one.
#[derive(Clone)]
pub struct NixString(ThinRc<Header, u8>);

#[derive(Clone, Default)]
struct Header {
    context: Option<Box<Box<[StringContextElem]>>>,
    /// The symbol of these bytes, once interned as an attribute name (see
    /// [`crate::symbol::Interner::intern_string`]): names taken from the
    /// same string again (`x.${n}`, `listToAttrs`) are not hashed again.
    /// A copy of a header starts afresh.
    symbol: Cell<u64>,
}

impl NixString {
    pub fn new(bytes: impl AsRef<[u8]>, context: Option<StringContext>) -> NixString {
        let context = context.filter(|c| !c.is_empty()).map(|c| Box::new(c.into_iter().collect()));
        NixString(ThinRc::from_slice(Header { context, symbol: Cell::new(0) }, bytes.as_ref()))
    }

    /// `bytes` whose context is `elem` alone (no set made for it).
    pub fn with_one_context(bytes: impl AsRef<[u8]>, elem: StringContextElem) -> NixString {
        let context = Some(Box::new(Box::from([elem])));
        NixString(ThinRc::from_slice(Header { context, symbol: Cell::new(0) }, bytes.as_ref()))
    }

    /// The strings one after another, with all their contexts: one
    /// allocation of the result's size, no buffer in between.
    pub fn concat<'a>(parts: impl Iterator<Item = &'a NixString> + Clone) -> NixString {
        let len = parts.clone().map(|s| s.as_bytes().len()).sum();
        let context = if parts.clone().any(|s| s.has_context()) {
            let all: StringContext = parts.clone().flat_map(|s| s.context().unwrap_or_default()).cloned().collect();
            Some(Box::new(all.into_iter().collect()))
        } else {
            None
        };
        let header = Header { context, symbol: Cell::new(0) };
        NixString(ThinRc::from_parts(header, len, parts.map(|s| s.as_bytes())))
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// `bytes` with the context of `other`.
    pub fn with_context_of(bytes: impl AsRef<[u8]>, other: &NixString) -> NixString {
        let header = Header { context: other.0.header().context.clone(), symbol: Cell::new(0) };
        NixString(ThinRc::from_slice(header, bytes.as_ref()))
    }

    /// The context as a set, to add to.
    pub fn context_set(&self) -> Option<StringContext> {
        self.context().map(|c| c.iter().cloned().collect())
    }

    /// The context's elements, in order, if there are any.
    pub fn context(&self) -> Option<&[StringContextElem]> {
        self.0.header().context.as_deref().map(|c| &**c)
    }

    /// Where the string remembers its symbol as an attribute name.
    pub fn symbol_cache(&self) -> &Cell<u64> {
        &self.0.header().symbol
    }

    pub fn has_context(&self) -> bool {
        self.0.header().context.is_some()
    }

    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }

    /// Whether both are the same string (not merely equal).
    pub fn ptr_eq(a: &NixString, b: &NixString) -> bool {
        ThinRc::ptr_eq(&a.0, &b.0)
    }
}

impl Default for NixString {
    fn default() -> NixString {
        NixString::new(b"", None)
    }
}

impl PartialEq for NixString {
    fn eq(&self, other: &NixString) -> bool {
        self.as_bytes() == other.as_bytes() && self.context() == other.context()
    }
}

impl Eq for NixString {}

impl std::fmt::Debug for NixString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NixString").field("bytes", &self.to_str_lossy()).field("context", &self.context()).finish()
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
