//! [`Gc`], the shared pointer of the evaluator's heap: `Rc` without weak
//! references.
//!
//! Thunks and environments are the most numerous objects of an evaluation
//! (a package set keeps hundreds of thousands alive) and are 32 bytes each.
//! `Rc` puts two counters before them, the second for weak references that
//! the evaluator never makes; with one counter an object takes 40 bytes
//! instead of 48 (allocators round to 8 bytes at these sizes), a sixth
//! less, and dropping the last reference does one decrement, not two.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

struct GcBox<T> {
    count: Cell<usize>,
    value: T,
}

/// A reference-counted pointer to an immutable `T` (or one changed through
/// its own cells), freed when the last reference goes. Not `Send`: the
/// count is not atomic.
pub struct Gc<T> {
    ptr: NonNull<GcBox<T>>,
    /// Owns a `GcBox<T>`, for the drop check.
    _owns: PhantomData<GcBox<T>>,
}

impl<T> Gc<T> {
    #[inline]
    pub fn new(value: T) -> Gc<T> {
        let boxed = Box::new(GcBox { count: Cell::new(1), value });
        Gc { ptr: NonNull::from(Box::leak(boxed)), _owns: PhantomData }
    }

    #[inline(always)]
    fn inner(&self) -> &GcBox<T> {
        // SAFETY: the box lives while any `Gc` to it does, and this is one.
        unsafe { self.ptr.as_ref() }
    }

    /// Whether both point to the same object.
    #[inline]
    pub fn ptr_eq(a: &Gc<T>, b: &Gc<T>) -> bool {
        a.ptr == b.ptr
    }

    /// The object's address (its identity, for cycle checks and printing).
    #[inline]
    pub fn as_ptr(this: &Gc<T>) -> *const T {
        &this.inner().value
    }

    /// The pointer this `Gc` is (the word a `Value` holds for it), giving
    /// up its count to whoever keeps the word; see [`Value::push_thunk`].
    ///
    /// [`Value::push_thunk`]: super::Value::push_thunk
    #[inline(always)]
    pub(super) fn into_word(this: Gc<T>) -> usize {
        let word = this.ptr.as_ptr() as usize;
        std::mem::forget(this);
        word
    }

    /// How many references there are.
    #[inline]
    pub fn strong_count(this: &Gc<T>) -> usize {
        this.inner().count.get()
    }

    /// The object, if this is the only reference.
    pub fn try_unwrap(this: Gc<T>) -> Result<T, Gc<T>> {
        if Gc::strong_count(&this) != 1 {
            return Err(this);
        }
        let ptr = this.ptr;
        std::mem::forget(this);
        // SAFETY: the only reference gave up its box (forgotten above), which
        // came from `Box::leak` in `new`.
        let boxed = unsafe { Box::from_raw(ptr.as_ptr()) };
        Ok(boxed.value)
    }

    /// The object, mutably, if this is the only reference.
    #[inline]
    pub fn get_mut(this: &mut Gc<T>) -> Option<&mut T> {
        if Gc::strong_count(this) != 1 {
            return None;
        }
        // SAFETY: no other reference exists, and `this` is borrowed mutably.
        Some(unsafe { &mut this.ptr.as_mut().value })
    }
}

impl<T> Clone for Gc<T> {
    #[inline(always)]
    fn clone(&self) -> Gc<T> {
        let count = &self.inner().count;
        // As `Rc`: a count that would overflow means leaked references
        // (`mem::forget` in a loop); carrying on would free a live object.
        let n = count.get().wrapping_add(1);
        if n == 0 {
            std::process::abort();
        }
        count.set(n);
        Gc { ptr: self.ptr, _owns: PhantomData }
    }
}

impl<T> Gc<T> {
    /// Frees the object once its last reference is gone. Kept out of line,
    /// so that the common drop, a decrement, stays small where it is
    /// inlined.
    #[inline(never)]
    fn drop_slow(&mut self) {
        // SAFETY: the last reference is being dropped; the box came from
        // `Box::leak` in `new`.
        drop(unsafe { Box::from_raw(self.ptr.as_ptr()) });
    }
}

impl<T> Drop for Gc<T> {
    #[inline(always)]
    fn drop(&mut self) {
        let count = &self.inner().count;
        let n = count.get() - 1;
        count.set(n);
        if n == 0 {
            self.drop_slow();
        }
    }
}

impl<T> Deref for Gc<T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        &self.inner().value
    }
}

/// As `Rc`'s: the objects are compared, not the pointers.
impl<T: PartialEq> PartialEq for Gc<T> {
    fn eq(&self, other: &Gc<T>) -> bool {
        **self == **other
    }
}

impl<T: fmt::Debug> fmt::Debug for Gc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Gc;
    use std::rc::Rc;

    #[test]
    fn counts_and_frees() {
        let marker = Rc::new(());
        let a = Gc::new(marker.clone());
        let b = a.clone();
        assert_eq!(Gc::strong_count(&a), 2);
        assert!(Gc::ptr_eq(&a, &b));
        assert_eq!(Rc::strong_count(&marker), 2);
        drop(a);
        assert_eq!(Rc::strong_count(&marker), 2);
        let b = Gc::try_unwrap(b).expect("the only reference");
        drop(b);
        assert_eq!(Rc::strong_count(&marker), 1);

        let mut c = Gc::new(vec![1]);
        let d = c.clone();
        assert!(Gc::get_mut(&mut c).is_none());
        let c2 = Gc::try_unwrap(c).expect_err("shared");
        drop(d);
        let mut c = c2;
        Gc::get_mut(&mut c).expect("the only reference").push(2);
        assert_eq!(*c, vec![1, 2]);
    }

    #[test]
    fn is_one_word_with_one_counter() {
        assert_eq!(std::mem::size_of::<Gc<[u64; 4]>>(), 8);
        assert_eq!(std::mem::size_of::<Option<Gc<u8>>>(), 8);
        assert_eq!(std::mem::size_of::<super::GcBox<[u64; 4]>>(), 40);
    }
}
