//! Recursion over syntax that cannot overflow the native stack.
//!
//! The parser, and the passes after it (lowering, compiling), recurse a few
//! native frames per level of nesting, and the parser accepts deep nesting
//! and long chains (30 000 levels, chains of 100 000 links). An embedder's
//! thread may have only the 2 or 8 MiB of a default stack, so recursive
//! steps go through [`grow`]: when little stack is left, the rest of the
//! walk continues on a fresh segment allocated on the heap (the `stacker`
//! crate, as rustc does), and its depth is bounded by memory only.

/// Stack that must be left before a recursive step runs on the current
/// segment.
const RED_ZONE: usize = 256 * 1024;

/// The size of each fresh segment.
const SEGMENT: usize = 4 * 1024 * 1024;

/// Runs `f`, on a fresh stack segment if the current one is nearly used
/// up. A step may use up to [`RED_ZONE`] bytes before the next check.
#[inline]
pub fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
