//! Recursion over syntax that cannot overflow the native stack.
//!
//! Lowering and compiling walk the tree recursively, one native frame (or
//! a few) per nesting level, and the parser allows long chains (100 000
//! links of `a + b + ...`) and deep nesting. An embedder's thread may have
//! only the 2 or 8 MiB of a default stack, so each recursive step goes
//! through [`deep`]: when little stack is left, the rest of the walk
//! continues on a fresh segment allocated on the heap (the `stacker`
//! crate, as rustc does), and the walk's depth is bounded by memory only.

/// Stack that must be left before a recursive step runs on the current
/// segment.
const RED_ZONE: usize = 256 * 1024;

/// The size of each fresh segment.
const SEGMENT: usize = 8 * 1024 * 1024;

/// Runs `f`, on a fresh stack segment if the current one is nearly used up.
#[inline]
pub(crate) fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
