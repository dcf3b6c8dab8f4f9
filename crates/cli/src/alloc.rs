//! The global allocator: mimalloc (its version 2, see below), called for
//! the alignment each request needs, with transparent huge pages for the
//! part of the heap past its first few MiB.
//!
//! Evaluation allocates many small, short-lived objects (thunks,
//! environments, values); mimalloc serves them much faster than the system
//! allocator. The `mimalloc` crate's allocator sends every request through
//! mimalloc's aligned entry points, which cost more per call; almost all of
//! neve's requests need no more than the 16 bytes mimalloc always gives, so
//! they take the plain ones.
//!
//! Version 2 rather than 3 (the `v2` feature of `libmimalloc-sys`): on the
//! benchmark programs it keeps 2-18% less memory at peak (attrs 69 -> 57
//! MB, strings 48 -> 38 MB, fixpoint 60.5 -> 59 MB) and runs about 1% fewer
//! instructions, in the same time within this machine's noise.
//!
//! Size classes of one word: mimalloc rounds small blocks up to a multiple
//! of 16 bytes unless built with `MI_MAX_ALIGN_SIZE=8`, which
//! `.cargo/config.toml` passes to its C build. neve's most numerous objects,
//! thunks and environments, are 40 bytes with their counter (see the
//! evaluator's `Gc`), and would take 48. Measured peak memory: fixpoint 60
//! -> 56 MB, lists 105 -> 93 MB, deep 70 -> 62 MB, strings 39 -> 35 MB.
//!
//! Huge pages: a large evaluation touches tens of MiB of fresh heap, and on
//! 4 KiB pages a seventh of its time went to page faults, with TLB misses
//! on top. mimalloc's own huge-page support (off here: the `no_thp` build
//! feature) advises its whole arena, so even `neve eval -E 1` had its first
//! pages faulted and zeroed 2 MiB at a time (peak memory 4.5 -> 10 MiB).
//! [`use_huge_pages`] instead advises the arena only from [`SMALL_HEAP`]
//! bytes past where the evaluating thread's first allocation lands:
//! mimalloc gives each thread its own segments, taken from the arena in
//! order, so a small evaluation never reaches the huge pages, and a large
//! one pays at most a partly used 2 MiB page or two. Measured on the
//! benchmark programs: 10-30% less time, peak memory within a few MiB of
//! before.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// What `mi_malloc` guarantees for any request of at least this size. It
/// is 16 bytes in mimalloc's default build, but neve's is built with
/// one-word size classes (`MI_MAX_ALIGN_SIZE=8`, see `.cargo/config.toml`),
/// where a 40-byte block is only 8-aligned.
const PLAIN_ALIGN: usize = 8;

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

/// The start of the heap stays on ordinary pages up to here.
const SMALL_HEAP: usize = 16 << 20;

const HUGE_PAGE: usize = 2 << 20;

/// Asks the kernel for transparent huge pages over mimalloc's arena (the
/// mapping that holds a fresh allocation) from [`SMALL_HEAP`] bytes past
/// that allocation on. To be called on the thread that will evaluate,
/// before it allocates much. Best effort: where the kernel has no such
/// pages, or the mapping cannot be found, nothing changes.
#[cfg(target_os = "linux")]
pub fn use_huge_pages() {
    let probe = Box::new(0u64);
    let addr = &*probe as *const u64 as usize;
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else { return };
    // Each line starts with the mapping's range: `start-end` in hex.
    let arena = maps.lines().find_map(|line| {
        let (start, end) = line.split(' ').next()?.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        (start <= addr && addr < end).then_some((start, end))
    });
    let Some((_, end)) = arena else { return };
    let huge = (addr + SMALL_HEAP).next_multiple_of(HUGE_PAGE);
    if huge < end {
        // SAFETY: advice only; the range lies within one existing mapping
        // and madvise(MADV_HUGEPAGE) changes no contents.
        unsafe { libc::madvise(huge as *mut c_void, end - huge, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
pub fn use_huge_pages() {}
