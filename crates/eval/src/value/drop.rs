//! Dropping values without recursing once per level of nesting.
//!
//! A value can nest as deep as the program likes (a list built by
//! `foldl' (tail: head: { inherit head tail; })` over a million elements
//! is a million sets deep), and Rust drops nested `Rc`s recursively: freeing
//! such a value on an ordinary thread would overflow its stack. So the
//! containers (lists, sets, thunks, environments) hand each child that is
//! about to lose its last owner to [`release`], which queues it while a
//! drop is under way and frees the queue in a loop. A child that stays
//! shared, or holds nothing, is dropped at once: that is only a decrement.

use std::cell::{Cell, RefCell};

use super::{Attrs, Env, Gc, List, PrimOpApp, Slots, Thunk, ThunkState, Value};

impl Drop for List {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(release);
    }
}

impl Drop for Attrs {
    fn drop(&mut self) {
        if let Some(values) = self.values_mut() {
            values.for_each(release);
        }
    }
}

impl Drop for PrimOpApp {
    fn drop(&mut self) {
        self.args.iter_mut().for_each(release);
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        match self.slots.get_mut() {
            Slots::One(v) | Slots::With(v) => release(v),
            Slots::Many(vs) => vs.iter_mut().for_each(release),
        }
    }
}

impl Drop for Thunk {
    fn drop(&mut self) {
        match self.get_mut() {
            ThunkState::Done(v) | ThunkState::Eager(v) => release(v),
            // Applications chain (`map f (map f (...))` unevaluated): a
            // part that is a thunk of this one's alone waits in the queue.
            ThunkState::Apply { func, arg } => {
                release_part(func);
                release_part(arg);
            }
            // An environment's slots are released by its own drop.
            _ => {}
        }
    }
}

thread_local! {
    static QUEUE: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
    static DRAINING: Cell<bool> = const { Cell::new(false) };
}

/// Takes over a child of a container being dropped, if dropping it would
/// free a container in turn; anything else is left to drop in place (a
/// decrement, or nothing).
#[inline(always)]
fn release(v: &mut Value) {
    if frees_a_container(v) {
        queue(std::mem::replace(v, Value::Null));
    }
}

/// [`release`] for the parts of an application: a thunk only they hold is
/// queued as well, so that a chain of applications is freed in a loop.
#[inline(always)]
fn release_part(v: &mut Value) {
    let chained = matches!(v, Value::Thunk(t) if Gc::strong_count(t) == 1);
    if chained || frees_a_container(v) {
        queue(std::mem::replace(v, Value::Null));
    }
}

#[inline(never)]
fn queue(v: Value) {
    // During thread teardown the queue may be gone: `v` then drops in place.
    let queued = QUEUE.try_with(|q| q.borrow_mut().push(v)).is_ok();
    if !queued || DRAINING.with(|d| d.replace(true)) {
        return;
    }
    // One value at a time: dropping it may queue its children. The queue
    // keeps its buffer, so a drop that queues one container (an
    // environment, a set) allocates nothing.
    while let Some(next) = QUEUE.with(|q| q.borrow_mut().pop()) {
        drop(next);
    }
    DRAINING.with(|d| d.set(false));
}

/// Whether dropping `v` frees a container that holds more to free, so that
/// it must wait in the queue rather than drop in place.
///
/// A thunk always drops in place: its own drop hands its value to
/// [`release`] and its application's parts to [`release_part`], so freeing
/// it recurses one level at most. (Its environment, if suspended, drops in
/// place too: slots go through [`release`], and parents nest only as deep
/// as the source's scopes.) Looking into it here as well would only repeat
/// that work for every thunk of a list.
#[inline(always)]
fn frees_a_container(v: &Value) -> bool {
    use super::Gc;
    match v {
        Value::List(l) => Gc::strong_count(l) == 1 && !l.0.is_empty(),
        Value::Attrs(a) => a.strong_count() == 1 && !a.is_empty(),
        Value::Lambda(c) => Gc::strong_count(c) == 1 && Gc::strong_count(&c.env) == 1,
        Value::PrimOp(p) => Gc::strong_count(p) == 1 && !p.args.is_empty(),
        _ => false,
    }
}
