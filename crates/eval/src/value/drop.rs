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

use super::{Attrs, Env, List, PrimOpApp, Slots, Thunk, ThunkState, Value};

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
            ThunkState::Apply { func, arg } => {
                release(func);
                release(arg);
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

#[inline(never)]
fn queue(v: Value) {
    // During thread teardown the queue may be gone: `v` then drops in place.
    let queued = QUEUE.try_with(|q| q.borrow_mut().push(v)).is_ok();
    if !queued || DRAINING.with(|d| d.replace(true)) {
        return;
    }
    // Take the queue in batches: dropping a batch queues its children.
    let mut batch = Vec::new();
    loop {
        QUEUE.with(|q| std::mem::swap(&mut *q.borrow_mut(), &mut batch));
        if batch.is_empty() {
            break;
        }
        while let Some(next) = batch.pop() {
            drop(next);
        }
    }
    DRAINING.with(|d| d.set(false));
}

/// Whether dropping `v` frees a container that holds more to free, so that
/// it must wait in the queue rather than drop in place.
#[inline(always)]
fn frees_a_container(v: &Value) -> bool {
    use std::rc::Rc;
    match v {
        Value::List(l) => Rc::strong_count(l) == 1 && !l.0.is_empty(),
        Value::Attrs(a) => a.strong_count() == 1 && !a.is_empty(),
        Value::Thunk(t) => Rc::strong_count(t) == 1 && thunk_holds_more(t),
        Value::Lambda(c) => Rc::strong_count(c) == 1 && Rc::strong_count(&c.env) == 1,
        Value::PrimOp(p) => Rc::strong_count(p) == 1 && !p.args.is_empty(),
        _ => false,
    }
}

/// Whether a thunk about to be freed would free more than itself: a value
/// or an application's parts that free containers in turn. (A thunk's
/// value is in weak head normal form: never another thunk.) Environments
/// drop in place: their slots go through [`release`], and their parents
/// nest only as deep as the source's scopes.
fn thunk_holds_more(t: &Thunk) -> bool {
    // SAFETY: only matches and reads reference counts.
    unsafe {
        t.inspect(|state| match state {
            ThunkState::Done(v) | ThunkState::Eager(v) => frees_a_container(v),
            ThunkState::Apply { func, arg } => shallow_frees(func) || shallow_frees(arg),
            ThunkState::Suspended { .. } | ThunkState::Blackhole | ThunkState::Failed(_) => false,
        })
    }
}

/// [`frees_a_container`] without looking into thunks (for their parts).
fn shallow_frees(v: &Value) -> bool {
    use std::rc::Rc;
    match v {
        Value::Thunk(t) => Rc::strong_count(t) == 1,
        other => frees_a_container(other),
    }
}
