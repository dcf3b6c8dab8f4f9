//! A reference count, a header and a slice in one allocation, behind one
//! pointer.
//!
//! Sets and strings are made once and never change, and an evaluation
//! holds hundreds of thousands of them. As `Rc<Box<[T]>>` each would be two
//! allocations (the count and a pointer to the slice, then the slice); here
//! it is one, and the handle stays a single word, so `Value` stays two.

use std::alloc::{self, Layout};
use std::cell::Cell;
use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::ptr::{self, NonNull};
use std::slice;

/// What the allocation starts with; the slice follows at [`ThinRc::OFFSET`].
/// The count and the length take 32 bits each: a set or string of four
/// billion items would not fit in memory anyway.
#[repr(C)]
struct Head<H> {
    count: Cell<u32>,
    len: u32,
    header: H,
}

/// A shared, immutable header and slice (like `Rc<(H, [T])>`, but a thin
/// pointer).
pub struct ThinRc<H, T> {
    ptr: NonNull<Head<H>>,
    /// The handle owns an `H` and `T`s (for the drop check); the raw
    /// pointer also keeps it on one thread, as `Rc`.
    _owns: PhantomData<(H, T)>,
}

impl<H, T> ThinRc<H, T> {
    /// Where the slice starts: after the head, aligned for `T`.
    const OFFSET: usize = size_of::<Head<H>>().next_multiple_of(align_of::<T>());

    fn layout(len: usize) -> Layout {
        let size = size_of::<T>().checked_mul(len).and_then(|n| n.checked_add(Self::OFFSET));
        let align = align_of::<Head<H>>().max(align_of::<T>());
        size.and_then(|size| Layout::from_size_align(size, align).ok())
            .expect("a slice that fits in memory")
            .pad_to_align()
    }

    /// Allocates room for `len` items after the head; the items are left
    /// for the caller to write.
    ///
    /// # Safety
    /// The caller writes all `len` items before the handle is used or
    /// dropped.
    unsafe fn allocate(header: H, len: usize) -> (ThinRc<H, T>, *mut T) {
        assert!(u32::try_from(len).is_ok(), "capacity overflow");
        let layout = Self::layout(len);
        // SAFETY: the layout has a non-zero size (the head is two words).
        let mem = unsafe { alloc::alloc(layout) };
        let Some(head) = NonNull::new(mem as *mut Head<H>) else { alloc::handle_alloc_error(layout) };
        // SAFETY: `mem` is a fresh allocation with room and alignment for
        // the head, and for `len` items at `OFFSET`.
        unsafe {
            head.as_ptr().write(Head { count: Cell::new(1), len: len as u32, header });
            (ThinRc { ptr: head, _owns: PhantomData }, mem.add(Self::OFFSET) as *mut T)
        }
    }

    /// Takes the items of a vector.
    pub fn from_vec(header: H, mut items: Vec<T>) -> ThinRc<H, T> {
        Self::from_vec_tail(header, &mut items, 0)
    }

    /// Takes the items of a vector from `start` on; it keeps the others.
    pub fn from_vec_tail(header: H, items: &mut Vec<T>, start: usize) -> ThinRc<H, T> {
        let len = items[start..].len();
        // SAFETY: all `len` items are moved in before the handle is
        // returned; the vector forgets them (its length is cut to `start`),
        // so each is dropped once, by the new owner.
        unsafe {
            let (rc, dst) = Self::allocate(header, len);
            ptr::copy_nonoverlapping(items.as_ptr().add(start), dst, len);
            items.set_len(start);
            rc
        }
    }

    /// Takes exactly `len` items from `items`, written straight into the
    /// allocation (no vector in between).
    ///
    /// # Panics
    /// If `items` yields fewer than `len` items; the allocation is then
    /// leaked, with the items already written.
    pub fn from_exact_iter(header: H, len: usize, items: impl IntoIterator<Item = T>) -> ThinRc<H, T> {
        let mut items = items.into_iter();
        // SAFETY: each of the `len` slots is written once, in order, before
        // the handle is returned; if the iterator runs short (or panics)
        // the handle is forgotten, so nothing reads or drops the slots not
        // yet written.
        unsafe {
            let (rc, dst) = Self::allocate(header, len);
            let rc = std::mem::ManuallyDrop::new(rc);
            for i in 0..len {
                let item = items.next().expect("as many items as announced");
                dst.add(i).write(item);
            }
            std::mem::ManuallyDrop::into_inner(rc)
        }
    }

    fn head(&self) -> &Head<H> {
        // SAFETY: the allocation lives as long as any handle to it.
        unsafe { self.ptr.as_ref() }
    }

    pub fn header(&self) -> &H {
        &self.head().header
    }

    pub fn as_slice(&self) -> &[T] {
        let len = self.head().len as usize;
        // SAFETY: `len` initialised items sit at `OFFSET`, shared only.
        unsafe { slice::from_raw_parts((self.ptr.as_ptr() as *const u8).add(Self::OFFSET) as *const T, len) }
    }

    /// The items, when this is the only handle.
    pub fn get_mut(&mut self) -> Option<&mut [T]> {
        if self.head().count.get() != 1 {
            return None;
        }
        let len = self.head().len as usize;
        // SAFETY: no other handle exists, and `&mut self` keeps this one
        // from being used elsewhere while the slice is borrowed.
        Some(unsafe { slice::from_raw_parts_mut((self.ptr.as_ptr() as *mut u8).add(Self::OFFSET) as *mut T, len) })
    }

    pub fn strong_count(&self) -> usize {
        self.head().count.get() as usize
    }

    pub fn ptr_eq(a: &ThinRc<H, T>, b: &ThinRc<H, T>) -> bool {
        a.ptr == b.ptr
    }

    /// The address of the allocation, as an identity.
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr() as *const u8
    }
}

impl<H, T: Copy> ThinRc<H, T> {
    /// Copies the items of a slice.
    pub fn from_slice(header: H, items: &[T]) -> ThinRc<H, T> {
        // SAFETY: all items are written before the handle is returned.
        unsafe {
            let (rc, dst) = Self::allocate(header, items.len());
            ptr::copy_nonoverlapping(items.as_ptr(), dst, items.len());
            rc
        }
    }
}

impl<H> ThinRc<H, u8> {
    /// The bytes of `parts`, one after another: `len` of them, which is
    /// what the parts add up to (should they not, the bytes are cut at
    /// `len` or filled up with zeros: never left unwritten).
    pub fn from_parts<'a>(header: H, len: usize, parts: impl Iterator<Item = &'a [u8]>) -> ThinRc<H, u8> {
        // SAFETY: `at` never passes `len`, so each copy stays inside the
        // `len` bytes allocated; whatever the parts leave unwritten is
        // zeroed, so all `len` are written before the handle is returned.
        unsafe {
            let (rc, dst) = Self::allocate(header, len);
            let mut at = 0;
            for part in parts {
                let n = part.len().min(len - at);
                ptr::copy_nonoverlapping(part.as_ptr(), dst.add(at), n);
                at += n;
            }
            debug_assert_eq!(at, len, "the parts add up to the length");
            ptr::write_bytes(dst.add(at), 0, len - at);
            rc
        }
    }
}

impl<H, T> Clone for ThinRc<H, T> {
    fn clone(&self) -> ThinRc<H, T> {
        let count = &self.head().count;
        // As `Rc`: a count that wraps means something is badly wrong (more
        // handles than bytes of memory).
        let next = count.get().wrapping_add(1);
        count.set(next);
        if next == 0 {
            std::process::abort();
        }
        ThinRc { ptr: self.ptr, _owns: PhantomData }
    }
}

impl<H, T> Drop for ThinRc<H, T> {
    fn drop(&mut self) {
        let count = self.head().count.get() - 1;
        self.head().count.set(count);
        if count > 0 {
            return;
        }
        let len = self.head().len as usize;
        // SAFETY: this was the last handle: the header and the items are
        // dropped once, then the allocation is freed with the layout it was
        // made with.
        unsafe {
            let base = self.ptr.as_ptr();
            ptr::drop_in_place(&mut (*base).header);
            let items = (base as *mut u8).add(Self::OFFSET) as *mut T;
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(items, len));
            alloc::dealloc(base as *mut u8, Self::layout(len));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ThinRc;
    use std::rc::Rc;

    #[test]
    fn holds_header_and_items_and_drops_them_once() {
        let marker = Rc::new(());
        let items = vec![marker.clone(), marker.clone(), marker.clone()];
        let a = ThinRc::from_vec(marker.clone(), items);
        assert_eq!(Rc::strong_count(&marker), 5);
        let mut b = a.clone();
        assert!(ThinRc::ptr_eq(&a, &b));
        assert_eq!(b.strong_count(), 2);
        assert!(b.get_mut().is_none());
        drop(a);
        assert_eq!(b.get_mut().map(|s| s.len()), Some(3));
        assert_eq!(b.as_slice().len(), 3);
        drop(b);
        assert_eq!(Rc::strong_count(&marker), 1);
    }

    #[test]
    fn bytes_follow_the_header() {
        let s: ThinRc<u64, u8> = ThinRc::from_slice(7, b"hello");
        assert_eq!(*s.header(), 7);
        assert_eq!(s.as_slice(), b"hello");
        let empty: ThinRc<(), u8> = ThinRc::from_slice((), b"");
        assert_eq!(empty.as_slice(), b"");
    }
}
