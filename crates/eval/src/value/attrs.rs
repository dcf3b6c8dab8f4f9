//! Attribute sets: attributes sorted by symbol (CppNix's order), found by
//! binary search.

use super::thin::ThinRc;
use super::Value;
use crate::source::Pos;
use crate::symbol::Symbol;

#[derive(Clone)]
pub struct Attr {
    pub name: Symbol,
    pub value: Value,
    /// Where the attribute was defined, for `unsafeGetAttrPos`.
    pub pos: Option<Pos>,
}

/// A set: a shared handle to its attributes. Sets never change once made,
/// so the attributes sit after the reference count in one allocation of
/// exactly their size; a clone is a counter increment.
#[derive(Clone)]
pub struct Attrs {
    attrs: ThinRc<(), Attr>,
}

impl Default for Attrs {
    fn default() -> Attrs {
        Attrs::empty()
    }
}

impl Attrs {
    pub fn empty() -> Attrs {
        Attrs { attrs: ThinRc::from_vec((), Vec::new()) }
    }

    /// Builds a set from attributes in any order; on duplicate names the
    /// first one wins.
    pub fn from_unsorted(mut attrs: Vec<Attr>) -> Attrs {
        attrs.sort_by_key(|a| a.name);
        attrs.dedup_by_key(|a| a.name);
        Attrs::from_sorted(attrs)
    }

    /// Builds a set from the attributes of `attrs` from `start` on, in any
    /// order, taking them from the vector (which keeps the others); on
    /// duplicate names the first one wins. Sorted where they are: no
    /// vector of their own.
    pub fn from_unsorted_tail(attrs: &mut Vec<Attr>, start: usize) -> Attrs {
        attrs[start..].sort_by_key(|a| a.name);
        // Keep the first of each name: the kept ones move to the front of
        // the tail, the others to its end, which is cut off.
        let mut kept = start;
        for i in start..attrs.len() {
            if i == start || attrs[i].name != attrs[kept - 1].name {
                attrs.swap(kept, i);
                kept += 1;
            }
        }
        attrs.truncate(kept);
        Attrs { attrs: ThinRc::from_vec_tail((), attrs, start) }
    }

    /// A set of attributes already sorted by name, without repeats.
    pub fn from_sorted(attrs: Vec<Attr>) -> Attrs {
        debug_assert!(attrs.windows(2).all(|w| w[0].name < w[1].name));
        Attrs { attrs: ThinRc::from_vec((), attrs) }
    }

    fn slice(&self) -> &[Attr] {
        self.attrs.as_slice()
    }

    /// Whether both are the same set (not merely equal).
    pub fn ptr_eq(a: &Attrs, b: &Attrs) -> bool {
        ThinRc::ptr_eq(&a.attrs, &b.attrs)
    }

    /// The set's address, as its identity.
    pub fn as_ptr(&self) -> *const u8 {
        self.attrs.as_ptr()
    }

    /// How many handles share the set.
    pub fn strong_count(&self) -> usize {
        self.attrs.strong_count()
    }

    pub fn len(&self) -> usize {
        self.slice().len()
    }

    pub fn is_empty(&self) -> bool {
        self.slice().is_empty()
    }

    pub fn get(&self, name: Symbol) -> Option<&Value> {
        self.get_attr(name).map(|a| &a.value)
    }

    #[inline]
    pub fn get_attr(&self, name: Symbol) -> Option<&Attr> {
        let attrs = self.slice();
        if attrs.len() <= INTERPOLATE_ABOVE {
            return attrs.binary_search_by_key(&name, |a| a.name).ok().map(|i| &attrs[i]);
        }
        interpolation_search(attrs, name)
    }

    /// The values, to take apart when this is the last handle (for the
    /// set's drop).
    pub(super) fn values_mut(&mut self) -> Option<impl Iterator<Item = &mut Value>> {
        self.attrs.get_mut().map(|attrs| attrs.iter_mut().map(|a| &mut a.value))
    }

    /// The `i`th attribute in symbol order.
    pub fn at(&self, i: usize) -> &Attr {
        &self.slice()[i]
    }

    /// Attributes in symbol order.
    pub fn iter(&self) -> std::slice::Iter<'_, Attr> {
        self.slice().iter()
    }

    /// A set of the attributes, sorted by name without repeats, written
    /// straight into the set's allocation.
    pub fn from_sorted_iter(len: usize, attrs: impl IntoIterator<Item = Attr>) -> Attrs {
        Attrs { attrs: ThinRc::from_exact_iter((), len, attrs) }
    }

    /// `self // other`: other's attributes win.
    pub fn update(&self, other: &Attrs) -> Attrs {
        self.update_sorted(other.slice())
    }

    /// `self // other` for attributes `other` sorted by name, without
    /// repeats.
    pub fn update_sorted(&self, other: &[Attr]) -> Attrs {
        let (a, b) = (self.slice(), other);
        // Counting the names both have first lets the merge be written
        // straight into a set of the right size.
        let (mut i, mut j, mut shared) = (0, 0, 0);
        while i < a.len() && j < b.len() {
            let (x, y) = (a[i].name, b[j].name);
            shared += usize::from(x == y);
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        Attrs::from_sorted_iter(a.len() + b.len() - shared, Update { a, b, i: 0, j: 0 })
    }

    /// The set without the given names.
    pub fn without(&self, names: &[Symbol]) -> Attrs {
        let mut names = names.to_vec();
        names.sort_unstable();
        // Both in symbol order: one walk through each.
        let mut remove = names.iter().peekable();
        let mut kept = Vec::with_capacity(self.len());
        for attr in self.iter() {
            while remove.next_if(|&&n| n < attr.name).is_some() {}
            if remove.peek() != Some(&&attr.name) {
                kept.push(attr.clone());
            }
        }
        Attrs::from_sorted(kept)
    }
}

/// Collects attributes, then sorts once.
#[derive(Default)]
pub struct AttrsBuilder {
    attrs: Vec<Attr>,
}

/// Sets larger than this are searched by interpolation first.
const INTERPOLATE_ABOVE: usize = 32;

/// Finds `name` in a large set. Symbols are numbered in the order names are
/// first seen, so the names of a large set (a package set made by
/// `listToAttrs`, say) are mostly consecutive numbers: guessing the place
/// from the symbol's number, twice, usually lands on it or next to it,
/// where a binary search of twenty thousand attributes takes fifteen steps,
/// each a likely cache miss. What the guesses leave is binary-searched, so
/// an uneven set costs at most two probes more.
fn interpolation_search(attrs: &[Attr], name: Symbol) -> Option<&Attr> {
    let target = u64::from(name.index());
    let (mut lo, mut hi) = (0usize, attrs.len() - 1);
    for _ in 0..2 {
        let (first, last) = (u64::from(attrs[lo].name.index()), u64::from(attrs[hi].name.index()));
        if target < first || target > last {
            return None;
        }
        if first == last {
            break;
        }
        // Within [lo, hi]: names are distinct and increasing.
        let guess = lo + ((target - first) * (hi - lo) as u64 / (last - first)) as usize;
        match attrs[guess].name.cmp(&name) {
            std::cmp::Ordering::Equal => return Some(&attrs[guess]),
            std::cmp::Ordering::Less => lo = guess + 1,
            std::cmp::Ordering::Greater if guess == 0 => return None,
            std::cmp::Ordering::Greater => hi = guess - 1,
        }
        if lo > hi {
            return None;
        }
    }
    let window = &attrs[lo..=hi];
    window.binary_search_by_key(&name, |a| a.name).ok().map(|i| &window[i])
}

impl AttrsBuilder {
    pub fn with_capacity(n: usize) -> AttrsBuilder {
        AttrsBuilder { attrs: Vec::with_capacity(n) }
    }

    pub fn insert(&mut self, name: Symbol, value: Value, pos: Option<Pos>) {
        self.attrs.push(Attr { name, value, pos });
    }

    pub fn build(self) -> Attrs {
        Attrs::from_unsorted(self.attrs)
    }
}

/// The attributes of `a // b`, in name order: `b`'s where both have a name.
struct Update<'a> {
    a: &'a [Attr],
    b: &'a [Attr],
    i: usize,
    j: usize,
}

impl Iterator for Update<'_> {
    type Item = Attr;

    #[inline]
    fn next(&mut self) -> Option<Attr> {
        match (self.a.get(self.i), self.b.get(self.j)) {
            (Some(x), Some(y)) if x.name < y.name => {
                self.i += 1;
                Some(x.clone())
            }
            (Some(x), Some(y)) => {
                self.i += usize::from(x.name == y.name);
                self.j += 1;
                Some(y.clone())
            }
            (Some(x), None) => {
                self.i += 1;
                Some(x.clone())
            }
            (None, Some(y)) => {
                self.j += 1;
                Some(y.clone())
            }
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn attr_is_three_words() {
        assert_eq!(std::mem::size_of::<super::Attr>(), 24);
    }

    /// The interpolating search finds what binary search finds, in dense,
    /// sparse, clustered and skewed sets, for names in, between and
    /// outside them.
    #[test]
    fn interpolation_search_agrees_with_binary_search() {
        use super::{interpolation_search, Attr, Value};
        use crate::symbol::Interner;
        let mut interner = Interner::new();
        let syms: Vec<_> = (0..5000).map(|i| interner.intern(format!("s{i}"))).collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let shapes: Vec<Box<dyn Fn(usize) -> bool>> = vec![
            Box::new(|_| true),
            Box::new(|i| i % 7 == 0),
            Box::new(|i| i < 3 || (2000..2100).contains(&i) || i > 4990),
            Box::new(|i| i < 40 || i % 97 == 0),
        ];
        for keep in &shapes {
            for density in [1u64, 2, 5] {
                let attrs: Vec<Attr> = syms
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| keep(i) && next() % density == 0)
                    .map(|(_, &name)| Attr { name, value: Value::Null, pos: None })
                    .collect();
                if attrs.len() < 2 {
                    continue;
                }
                for &name in &syms {
                    let expected = attrs.binary_search_by_key(&name, |a| a.name).ok();
                    let found = interpolation_search(&attrs, name).map(|a| a.name);
                    assert_eq!(found, expected.map(|i| attrs[i].name));
                }
            }
        }
    }
}
