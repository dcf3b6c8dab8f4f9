//! Attribute sets: attributes sorted by symbol (CppNix's order), found by
//! binary search.

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

/// Sets never change once made, so their attributes sit in a slice of
/// exactly their size (no spare capacity, one word less than a `Vec`).
#[derive(Clone, Default)]
pub struct Attrs {
    attrs: Box<[Attr]>,
}

impl Attrs {
    pub fn empty() -> Attrs {
        Attrs::default()
    }

    /// Builds a set from attributes in any order; on duplicate names the
    /// first one wins.
    pub fn from_unsorted(mut attrs: Vec<Attr>) -> Attrs {
        attrs.sort_by_key(|a| a.name);
        attrs.dedup_by_key(|a| a.name);
        Attrs { attrs: attrs.into_boxed_slice() }
    }

    /// Builds a set from attributes already in symbol order, without
    /// duplicates.
    pub fn from_sorted(attrs: Vec<Attr>) -> Attrs {
        debug_assert!(attrs.windows(2).all(|w| w[0].name < w[1].name));
        Attrs { attrs: attrs.into_boxed_slice() }
    }

    pub fn len(&self) -> usize {
        self.attrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    pub fn get(&self, name: Symbol) -> Option<&Value> {
        self.get_attr(name).map(|a| &a.value)
    }

    pub fn get_attr(&self, name: Symbol) -> Option<&Attr> {
        self.attrs.binary_search_by_key(&name, |a| a.name).ok().map(|i| &self.attrs[i])
    }

    /// The values, to take apart (for the set's drop).
    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.attrs.iter_mut().map(|a| &mut a.value)
    }

    /// Attributes in symbol order.
    pub fn iter(&self) -> std::slice::Iter<'_, Attr> {
        self.attrs.iter()
    }

    /// `self // other`: other's attributes win.
    pub fn update(&self, other: &Attrs) -> Attrs {
        let (a, b) = (&self.attrs, &other.attrs);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].name.cmp(&b[j].name) {
                std::cmp::Ordering::Less => {
                    out.push(a[i].clone());
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.push(b[j].clone());
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    out.push(b[j].clone());
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        Attrs { attrs: out.into_boxed_slice() }
    }

    /// The set without the given names.
    pub fn without(&self, names: &[Symbol]) -> Attrs {
        let mut names = names.to_vec();
        names.sort_unstable();
        Attrs { attrs: self.attrs.iter().filter(|a| names.binary_search(&a.name).is_err()).cloned().collect() }
    }
}

/// Collects attributes, then sorts once.
#[derive(Default)]
pub struct AttrsBuilder {
    attrs: Vec<Attr>,
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
