//! Interned names. Attribute sets are ordered by symbol, that is by the order
//! in which names were first interned, as in CppNix; so the interner is one
//! per evaluation and names are interned in source order.

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

/// An interned name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Symbol(u32);

impl Symbol {
    pub fn index(self) -> u32 {
        self.0
    }
}

/// The name table of one evaluation. Names are bytes: Nix attribute names
/// come from strings, which need not be UTF-8.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    /// Fx hashing: interning is on the hot path of dynamic attribute
    /// names (`listToAttrs`, `x.${n}`), and names are not adversarial.
    names: IndexSet<Box<[u8]>, FxBuildHasher>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    pub fn intern(&mut self, name: impl AsRef<[u8]>) -> Symbol {
        let name = name.as_ref();
        if let Some(i) = self.names.get_index_of(name) {
            return Symbol(i as u32);
        }
        let (i, _) = self.names.insert_full(name.into());
        Symbol(i as u32)
    }

    pub fn lookup(&self, name: impl AsRef<[u8]>) -> Option<Symbol> {
        self.names.get_index_of(name.as_ref()).map(|i| Symbol(i as u32))
    }

    pub fn resolve(&self, sym: Symbol) -> &[u8] {
        &self.names[sym.0 as usize]
    }

    /// The name as text, with any bytes that are not UTF-8 replaced.
    pub fn display(&self, sym: Symbol) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.resolve(sym))
    }
}
