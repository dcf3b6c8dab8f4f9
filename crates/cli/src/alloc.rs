//! The global allocator: mimalloc, called for the alignment each request
//! needs.
//!
//! Evaluation allocates many small, short-lived objects (thunks,
//! environments, values); mimalloc serves them much faster than the system
//! allocator. The `mimalloc` crate's allocator sends every request through
//! mimalloc's aligned entry points, which cost more per call; almost all of
//! neve's requests need no more than the 16 bytes mimalloc always gives, so
//! they take the plain ones. Transparent huge pages are off (the `no_thp`
//! build feature): with them, each fresh arena region is zeroed and counted
//! in 2 MiB steps, which costs time and peak memory on every evaluation.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// What `mi_malloc` guarantees for any request of at least this size.
const PLAIN_ALIGN: usize = 16;

pub struct Mimalloc;

fn plain(layout: &Layout) -> bool {
    layout.align() <= PLAIN_ALIGN && layout.align() <= layout.size()
}

// SAFETY: each method forwards to the mimalloc function of the same
// contract; memory from either family is freed by `mi_free`.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if plain(&layout) {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if plain(&layout) {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            if layout.align() <= PLAIN_ALIGN && layout.align() <= new_size {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}
