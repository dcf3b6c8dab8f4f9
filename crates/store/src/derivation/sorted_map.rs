//! A map kept as a vector of entries sorted by key.
//!
//! A derivation's environment and outputs are built once, mostly in key
//! order (the attributes come sorted, a `.drv` file lists them sorted),
//! read in order when printed, and rarely looked up. A `BTreeMap` made
//! each of them a node of half a kilobyte or more (a `DerivationOutput`
//! leaf is over a kilobyte) and paid its insertion and teardown walks; a
//! sorted vector is one allocation of the entries' size, and inserting in
//! order is a push.

use std::borrow::Borrow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        SortedMap { entries: Vec::with_capacity(n) }
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// Inserts or replaces; gives back the value replaced, as
    /// `BTreeMap::insert` does. A key past the last is a push.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.entries.last().map_or(true, |(last, _)| *last < key) {
            self.entries.push((key, value));
            return None;
        }
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`, inserted as the default first if missing (as
    /// `BTreeMap`'s `entry(key).or_default()`).
    pub fn get_or_insert_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, V::default()));
                i
            }
        };
        &mut self.entries[i].1
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }
}

impl<K, V> SortedMap<K, V> {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K: Ord + Borrow<Q>, V, Q: Ord + ?Sized> std::ops::Index<&Q> for SortedMap<K, V> {
    type Output = V;

    /// The value of `key`, which must be there (as `BTreeMap`'s index).
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Self {
        let mut map = SortedMap::new();
        for (k, v) in items {
            map.insert(k, v);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;

    #[test]
    fn behaves_as_a_btree_map() {
        let mut m = SortedMap::new();
        let mut b = std::collections::BTreeMap::new();
        // In order, out of order, and replacing.
        for (k, v) in [(3, 'a'), (5, 'b'), (1, 'c'), (4, 'd'), (5, 'e'), (0, 'f'), (9, 'g'), (1, 'h')] {
            assert_eq!(m.insert(k, v), b.insert(k, v));
        }
        assert!(m.iter().eq(b.iter()));
        assert_eq!(m.get(&4), b.get(&4));
        assert_eq!(m.get(&2), None);
        assert_eq!(m.remove(&3), b.remove(&3));
        assert_eq!(m.remove(&3), None);
        assert!(m.keys().eq(b.keys()));
        assert!(m.values().eq(b.values()));
        assert_eq!(m.len(), b.len());
        *m.get_mut(&9).unwrap() = 'z';
        assert_eq!(m.get(&9), Some(&'z'));
        assert!(m.contains_key(&0) && !m.contains_key(&7));
        *m.get_or_insert_default(7) = 'y';
        m.get_or_insert_default(7);
        assert_eq!(m.get(&7), Some(&'y'));
        assert_eq!(*m.get_or_insert_default(8), char::default());
    }
}
