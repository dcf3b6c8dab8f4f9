//! Interned names. Attribute sets are ordered by symbol, that is by the order
//! in which names were first interned, as in CppNix; so the interner is one
//! per evaluation and names are interned in source order.

use std::sync::atomic::{AtomicU32, Ordering};

use std::hash::Hasher;

use rustc_hash::FxHasher;

use crate::value::NixString;

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
///
/// Interning is on the hot path of dynamic attribute names
/// (`listToAttrs`, `x.${n}`), in tables of tens of thousands of names, so
/// the table is laid out for few cache misses: an open-addressing table
/// whose slots hold a name's hash, symbol, and place in one buffer of all
/// the names' bytes. Finding a name reads one slot (rarely two) and the
/// name's bytes; a general hash set of boxed names reads a control byte,
/// an index, an entry and the box.
///
/// Names are kept as plain bytes, not as string values to hand out: the
/// table lives as long as the evaluation, and its names held in
/// string-sized allocations would pin the allocator's pages of the many
/// short-lived strings of that size (4.5 MB more peak memory on
/// `fixpoint.nix`, for 20000 names).
#[derive(Debug)]
pub struct Interner {
    /// Every name's bytes, one after the other.
    bytes: Vec<u8>,
    /// Where each symbol's name lies in `bytes`.
    spans: Vec<Span>,
    /// A power of two long, at most half full; linear probing.
    slots: Vec<Slot>,
    /// This table's own number, never 0: a string remembers its symbol
    /// together with the number of the table that gave it (see
    /// [`Interner::intern_string`]).
    id: u32,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The name's hash, its high half (the low half chose the slot).
    hash: u32,
    /// `EMPTY` for a free slot.
    sym: u32,
    span: Span,
}

const EMPTY: u32 = u32::MAX;
const FREE: Slot = Slot { hash: 0, sym: EMPTY, span: Span { start: 0, len: 0 } };
const INITIAL_SLOTS: usize = 1024;

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

fn hash(name: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(name);
    h.finish()
}

impl Default for Interner {
    fn default() -> Interner {
        // Wrapping to 0 after four billion tables would only disable the
        // cache of that one table.
        Interner {
            bytes: Vec::new(),
            spans: Vec::new(),
            slots: vec![FREE; INITIAL_SLOTS],
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Clone for Interner {
    /// A copy gets a number of its own: the two may intern different
    /// names from here on.
    fn clone(&self) -> Interner {
        Interner {
            bytes: self.bytes.clone(),
            spans: self.spans.clone(),
            slots: self.slots.clone(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// As [`Interner::intern`], for a string value, which remembers its
    /// symbol (see [`NixString::symbol_cache`]: `(table number << 32) |
    /// symbol`, 0 when nothing is remembered; a symbol remembered from
    /// another table is ignored and replaced).
    pub fn intern_string(&mut self, s: &NixString) -> Symbol {
        let c = s.symbol_cache().get();
        if self.id != 0 && (c >> 32) as u32 == self.id {
            return Symbol(c as u32);
        }
        let sym = self.intern(s.as_bytes());
        self.remember(s, sym);
        sym
    }

    pub fn intern(&mut self, name: impl AsRef<[u8]>) -> Symbol {
        let name = name.as_ref();
        let h = hash(name);
        match self.find(name, h) {
            Ok(sym) => sym,
            Err(slot) => self.insert(name, h, slot),
        }
    }

    /// The symbol of `name` (whose hash is `h`), or the free slot where it
    /// would go.
    #[inline]
    fn find(&self, name: &[u8], h: u64) -> Result<Symbol, usize> {
        let mask = self.slots.len() - 1;
        let tag = (h >> 32) as u32;
        let mut i = h as usize & mask;
        loop {
            let slot = &self.slots[i];
            if slot.sym == EMPTY {
                return Err(i);
            }
            if slot.hash == tag && slot.span.len as usize == name.len() && self.text(slot.span) == name {
                return Ok(Symbol(slot.sym));
            }
            i = (i + 1) & mask;
        }
    }

    #[cold]
    #[inline(never)]
    fn insert(&mut self, name: &[u8], h: u64, slot: usize) -> Symbol {
        // Offsets are 32 bits: four gigabytes of distinct names is past
        // any evaluation's memory, and stopping is what running out of it
        // would do too.
        let fits = |n: usize| u32::try_from(n).ok().filter(|&n| n != u32::MAX);
        let (Some(start), Some(len), Some(sym), Some(_end)) =
            (fits(self.bytes.len()), fits(name.len()), fits(self.spans.len()), fits(self.bytes.len() + name.len()))
        else {
            eprintln!("error: out of memory for attribute names");
            std::process::abort();
        };
        let span = Span { start, len };
        self.bytes.extend_from_slice(name);
        self.spans.push(span);
        self.slots[slot] = Slot { hash: (h >> 32) as u32, sym, span };
        if self.spans.len() * 2 > self.slots.len() {
            self.grow();
        }
        Symbol(sym)
    }

    /// Doubles the table, putting every name back in.
    fn grow(&mut self) {
        let mut slots = vec![FREE; self.slots.len() * 2];
        let mask = slots.len() - 1;
        for (sym, &span) in self.spans.iter().enumerate() {
            let h = hash(self.text(span));
            let mut i = h as usize & mask;
            while slots[i].sym != EMPTY {
                i = (i + 1) & mask;
            }
            slots[i] = Slot { hash: (h >> 32) as u32, sym: sym as u32, span };
        }
        self.slots = slots;
    }

    #[inline]
    fn text(&self, span: Span) -> &[u8] {
        &self.bytes[span.start as usize..span.start as usize + span.len as usize]
    }

    fn remember(&self, s: &NixString, sym: Symbol) {
        if self.id != 0 {
            s.symbol_cache().set((u64::from(self.id) << 32) | u64::from(sym.0));
        }
    }

    /// The name as a new string value, which knows its symbol: taking a
    /// name from it again (`x.${n}` over `attrNames x`) costs no hashing.
    pub fn string(&self, sym: Symbol) -> NixString {
        let s = NixString::new(self.resolve(sym), None);
        self.remember(&s, sym);
        s
    }

    pub fn lookup(&self, name: impl AsRef<[u8]>) -> Option<Symbol> {
        let name = name.as_ref();
        self.find(name, hash(name)).ok()
    }

    /// The symbol with index `i`, if there is one.
    pub fn lookup_index(&self, i: usize) -> Option<Symbol> {
        (i < self.spans.len()).then_some(Symbol(i as u32))
    }

    pub fn resolve(&self, sym: Symbol) -> &[u8] {
        self.text(self.spans[sym.0 as usize])
    }

    /// The name as text, with any bytes that are not UTF-8 replaced.
    pub fn display(&self, sym: Symbol) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.resolve(sym))
    }
}

#[cfg(test)]
mod tests {
    use super::Interner;

    #[test]
    fn interns_each_name_once_in_order() {
        let mut t = Interner::new();
        let names: Vec<Vec<u8>> = (0..5000)
            .map(|i| format!("name{i}").into_bytes())
            .chain([b"".to_vec(), b"\xff\xfe".to_vec(), vec![b'x'; 300]])
            .collect();
        let syms: Vec<_> = names.iter().map(|n| t.intern(n)).collect();
        for (i, (n, &s)) in names.iter().zip(&syms).enumerate() {
            assert_eq!(s.index() as usize, i, "symbols are numbered in order");
            assert_eq!(t.intern(n), s);
            assert_eq!(t.lookup(n), Some(s));
            assert_eq!(t.resolve(s), &n[..]);
        }
        assert_eq!(t.lookup(b"name5000"), None);
        assert_eq!(t.lookup_index(names.len() - 1), syms.last().copied());
        assert_eq!(t.lookup_index(names.len()), None);
        let copy = t.clone();
        assert_ne!(copy.id, t.id, "a copy has a number of its own");
        assert_eq!(copy.lookup(b"name42"), Some(syms[42]));
    }
}
