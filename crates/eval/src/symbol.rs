//! Interned names. Attribute sets are ordered by symbol, that is by the order
//! in which names were first interned, as in CppNix; so the interner is one
//! per evaluation and names are interned in source order.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

use crate::value::NixString;

/// An interned name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Symbol(u32);

impl Symbol {
    pub fn index(self) -> u32 {
        self.0
    }
}

/// A name as the table keeps it: a string value without context. A name
/// handed out as a string (`attrNames`, `mapAttrs`) is then this one
/// shared, and a string interned as a name is kept, not copied. Hashed and
/// compared as its bytes, so the table is searched by `&[u8]`.
#[derive(Debug, Clone)]
struct Name(NixString);

impl Borrow<[u8]> for Name {
    fn borrow(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_bytes().hash(state)
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.0.as_bytes() == other.0.as_bytes()
    }
}

impl Eq for Name {}

/// The name table of one evaluation. Names are bytes: Nix attribute names
/// come from strings, which need not be UTF-8.
#[derive(Debug)]
pub struct Interner {
    /// Fx hashing: interning is on the hot path of dynamic attribute
    /// names (`listToAttrs`, `x.${n}`), and names are not adversarial.
    names: IndexSet<Name, FxBuildHasher>,
    /// This table's own number, never 0: a string remembers its symbol
    /// together with the number of the table that gave it (see
    /// [`Interner::intern_string`]).
    id: u32,
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

impl Default for Interner {
    fn default() -> Interner {
        // Wrapping to 0 after four billion tables would only disable the
        // cache of that one table.
        Interner { names: IndexSet::default(), id: NEXT_ID.fetch_add(1, Ordering::Relaxed) }
    }
}

impl Clone for Interner {
    /// A copy gets a number of its own: the two may intern different
    /// names from here on.
    fn clone(&self) -> Interner {
        Interner { names: self.names.clone(), ..Interner::default() }
    }
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// As [`Interner::intern`], for a string value, which remembers its
    /// symbol (see [`NixString::symbol_cache`]: `(table number << 32) |
    /// symbol`, 0 when nothing is remembered; a symbol remembered from
    /// another table is ignored and replaced). A new name keeps the string
    /// itself when it has no context.
    pub fn intern_string(&mut self, s: &NixString) -> Symbol {
        let c = s.symbol_cache().get();
        if self.id != 0 && (c >> 32) as u32 == self.id {
            return Symbol(c as u32);
        }
        let sym = match self.names.get_index_of(s.as_bytes()) {
            Some(i) => Symbol(i as u32),
            None if s.has_context() => self.insert(NixString::new(s.as_bytes(), None)),
            None => self.insert(s.clone()),
        };
        self.remember(s, sym);
        sym
    }

    pub fn intern(&mut self, name: impl AsRef<[u8]>) -> Symbol {
        let name = name.as_ref();
        if let Some(i) = self.names.get_index_of(name) {
            return Symbol(i as u32);
        }
        self.insert(NixString::new(name, None))
    }

    /// Adds a name not in the table yet.
    fn insert(&mut self, name: NixString) -> Symbol {
        let (i, _) = self.names.insert_full(Name(name));
        let sym = Symbol(i as u32);
        self.remember(&self.names[i].0, sym);
        sym
    }

    fn remember(&self, s: &NixString, sym: Symbol) {
        if self.id != 0 {
            s.symbol_cache().set((u64::from(self.id) << 32) | u64::from(sym.0));
        }
    }

    /// The name as a string value (the table's own, shared).
    pub fn string(&self, sym: Symbol) -> NixString {
        self.names[sym.0 as usize].0.clone()
    }

    pub fn lookup(&self, name: impl AsRef<[u8]>) -> Option<Symbol> {
        self.names.get_index_of(name.as_ref()).map(|i| Symbol(i as u32))
    }

    /// The symbol with index `i`, if there is one.
    pub fn lookup_index(&self, i: usize) -> Option<Symbol> {
        (i < self.names.len()).then_some(Symbol(i as u32))
    }

    pub fn resolve(&self, sym: Symbol) -> &[u8] {
        self.names[sym.0 as usize].0.as_bytes()
    }

    /// The name as text, with any bytes that are not UTF-8 replaced.
    pub fn display(&self, sym: Symbol) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.resolve(sym))
    }
}
