//! Runtime values.
//!
//! A `Value` is 16 bytes: scalars inline, everything else behind a reference
//! count (sets and strings in one allocation with their contents, see
//! `thin.rs`). Sharing is the rule (lists, sets and strings are immutable), so a
//! clone is a counter increment. Cycles (a `rec` set or `let` whose thunks
//! point back at their own environment) are not collected: memory lives as
//! long as the evaluation in that case. The choice is confined to this
//! module's `Gc` alias, so a tracing collector can replace it.

mod attrs;
mod drop;
mod gc;
mod string;
mod thin;

use std::cell::UnsafeCell;
use std::fmt;

pub use attrs::{Attr, Attrs, AttrsBuilder};
pub use string::{NixString, StringContext, StringContextElem};

use crate::builtins::PrimOp;
use crate::chunk::{Chunk, LambdaInfo};

/// The shared pointer of the evaluator's heap.
pub use gc::Gc;

/// `repr(C, u64)`: the tag takes the first word and every variant's
/// payload the second. With the default layout the tag is one byte and the
/// seven after it are padding (or a `Bool`'s payload), which moves of a
/// value copy in odd-sized pieces; a 16-byte read of the value soon after
/// then cannot take them from the store buffer and waits. Two plain words
/// move without that. The tag's unused values still serve as niches
/// (`Option<Value>`, `EvalResult<Value>` and the thunk states stay as
/// small).
#[repr(C, u64)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(NixString),
    /// An absolute, canonical path.
    Path(Gc<Vec<u8>>),
    Attrs(Attrs),
    List(Gc<List>),
    Lambda(Gc<Closure>),
    /// A builtin with some (perhaps no) arguments applied.
    PrimOp(Gc<PrimOpApp>),
    Thunk(Gc<Thunk>),
}

impl Clone for Value {
    /// A counter increment for the shared variants, then a copy of the
    /// value's two words as they are. (The derived clone copies each
    /// variant's fields separately: a one-byte tag and a payload at another
    /// offset, which the next 16-byte read of the value cannot take from the
    /// store buffer, stalling it. Cloning is on every hot path.)
    #[inline(always)]
    fn clone(&self) -> Value {
        match self {
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
            Value::String(p) => std::mem::forget(p.clone()),
            Value::Path(p) => std::mem::forget(Gc::clone(p)),
            Value::Attrs(p) => std::mem::forget(p.clone()),
            Value::List(p) => std::mem::forget(Gc::clone(p)),
            Value::Lambda(p) => std::mem::forget(Gc::clone(p)),
            Value::PrimOp(p) => std::mem::forget(Gc::clone(p)),
            Value::Thunk(p) => std::mem::forget(Gc::clone(p)),
        }
        // SAFETY: the shared variants' counts were just incremented for
        // the copy, which thus owns its reference; the others are plain data.
        unsafe { std::ptr::read(self) }
    }
}

/// A list's elements; each may be a thunk. Lists never change once made:
/// a boxed slice has no spare capacity and is a word smaller than a `Vec`.
#[derive(Default)]
pub struct List(pub Box<[Value]>);

impl List {
    pub fn as_slice(&self) -> &[Value] {
        &self.0
    }
}

/// A function value: compiled code and the environment it closes over.
pub struct Closure {
    pub lambda: Gc<LambdaInfo>,
    pub env: Gc<Env>,
}

/// A builtin and the arguments given to it so far.
pub struct PrimOpApp {
    pub op: &'static PrimOp,
    pub args: Vec<Value>,
}

/// An environment: the slots of one scope and its parent. A `with`
/// environment holds its namespace (a set, or a thunk of one) in slot 0.
///
/// The slots sit in an `UnsafeCell`, not a `RefCell`, as a thunk's state
/// does: every variable read would otherwise update a borrow flag, and
/// the flag's word would make the allocation 64 bytes instead of 48. A
/// slot is only read by copying its value out ([`Env::get`]) or looked at
/// through [`Env::with_slot`], whose caller promises not to change any
/// environment meanwhile, and replaced whole ([`Env::set`]), the old value
/// dropped only after the slot is written; no reference into the slots
/// outlives one of these calls.
pub struct Env {
    pub parent: Option<Gc<Env>>,
    slots: UnsafeCell<Slots>,
}

/// Most environments are a function's, with one slot (its argument): that
/// slot lives inline, saving an allocation per call.
enum Slots {
    One(Value),
    Many(Box<[Value]>),
    /// A `with` environment's namespace.
    With(Value),
}

impl Gc<Env> {
    /// The environment `level` steps out.
    #[inline(always)]
    pub fn up(&self, level: u32) -> &Gc<Env> {
        let mut env = self;
        for _ in 0..level {
            env = env.parent.as_ref().expect("resolved variables point at existing environments");
        }
        env
    }
}

impl Env {
    pub fn new(parent: Option<Gc<Env>>, size: usize) -> Gc<Env> {
        let slots = if size == 1 { Slots::One(Value::Null) } else { Slots::Many(vec![Value::Null; size].into()) };
        Gc::new(Env { parent, slots: UnsafeCell::new(slots) })
    }

    /// A function's environment: the argument in slot 0, the other `size - 1`
    /// slots (its formals) to be filled.
    #[inline(always)]
    pub fn for_call(parent: Gc<Env>, size: usize, arg: Value) -> Gc<Env> {
        let slots = if size <= 1 {
            Slots::One(arg)
        } else {
            let mut slots = Vec::with_capacity(size);
            slots.push(arg);
            slots.resize(size, Value::Null);
            Slots::Many(slots.into_boxed_slice())
        };
        Gc::new(Env { parent: Some(parent), slots: UnsafeCell::new(slots) })
    }

    pub fn new_with(parent: Option<Gc<Env>>, namespace: Value) -> Gc<Env> {
        Gc::new(Env { parent, slots: UnsafeCell::new(Slots::With(namespace)) })
    }

    /// The slots, shared.
    ///
    /// # Safety
    /// No environment's slots may change while the reference is alive.
    #[inline(always)]
    unsafe fn slots(&self) -> &Slots {
        // SAFETY: the caller keeps writers away while the reference lives.
        unsafe { &*self.slots.get() }
    }

    /// Whether this is a `with` environment (its namespace in slot 0).
    pub fn is_with(&self) -> bool {
        // SAFETY: only matches.
        matches!(unsafe { self.slots() }, Slots::With(_))
    }

    #[inline(always)]
    pub fn get(&self, slot: u32) -> Value {
        // SAFETY: cloning a value only changes reference counts.
        match unsafe { self.slots() } {
            Slots::One(v) | Slots::With(v) => v.clone(),
            Slots::Many(vs) => vs[slot as usize].clone(),
        }
    }

    /// Looks at a slot without copying its value.
    ///
    /// # Safety
    /// `f` must not change any environment (directly or by running
    /// anything that might): it may match and copy, nothing more.
    pub unsafe fn with_slot<R>(&self, slot: u32, f: impl FnOnce(&Value) -> R) -> R {
        // SAFETY: the caller promises that `f` writes no slot.
        match unsafe { self.slots() } {
            Slots::One(v) | Slots::With(v) => f(v),
            Slots::Many(vs) => f(&vs[slot as usize]),
        }
    }

    #[inline(always)]
    pub fn set(&self, slot: u32, value: Value) {
        // SAFETY: no reference into the slots is alive (see the type's
        // documentation); the old value is dropped (which may run other
        // code) only once this one is no longer borrowed.
        let old = unsafe {
            match &mut *self.slots.get() {
                Slots::One(v) | Slots::With(v) => std::mem::replace(v, value),
                Slots::Many(vs) => std::mem::replace(&mut vs[slot as usize], value),
            }
        };
        drop(old);
    }
}

/// A suspended computation, evaluated at most once.
///
/// Its state sits in an `UnsafeCell`, not a `RefCell`: the borrow flag
/// would be a word more on each of the hundreds of thousands of thunks an
/// evaluation makes. The state is only ever replaced whole
/// ([`Thunk::set`], [`Thunk::replace`]) or looked at through
/// [`Thunk::inspect`], whose caller promises not to change any thunk
/// meanwhile; no reference into the state outlives either.
pub struct Thunk(UnsafeCell<ThunkState>);

pub enum ThunkState {
    /// Code to run in an environment.
    Suspended {
        chunk: Gc<Chunk>,
        env: Gc<Env>,
    },
    /// A function applied to an argument (as `map` makes them).
    Apply {
        func: Value,
        arg: Value,
    },
    /// `func name value` for the attribute `index` of `set`, as
    /// `mapAttrs` makes them: one thunk per attribute, and the partial
    /// application `func name` (which nothing else could share) is never
    /// made. `func` is a thunk so that the state fits the size of
    /// [`ThunkState::Apply`]; the set stays alive until every such thunk is
    /// forced or dropped.
    ApplyToAttr {
        func: Gc<Thunk>,
        set: Attrs,
        index: u32,
    },
    /// Being evaluated: forcing it again is infinite recursion.
    Blackhole,
    Done(Value),
    /// Computed when it was made (see [`crate::chunk::EagerThunk`]) but not
    /// yet demanded: until it is forced it prints as a thunk, as CppNix's
    /// would.
    Eager(Value),
    /// Evaluation failed; forcing it again gives the same error without
    /// evaluating again (as CppNix does since 2.34).
    Failed(crate::error::EvalError),
}

/// The tag word of `Value::Thunk` (`repr(C, u64)` numbers the variants in
/// order; a test checks it).
const THUNK_TAG: u64 = 10;

impl Value {
    /// Pushes `Value::Thunk(thunk)` onto `stack`, written as its two words
    /// in place. Built as a value and then moved, it goes through a
    /// temporary written as two words and read back as one 16-byte load,
    /// which the processor cannot forward from the two stores and waits
    /// for: the hottest instruction of fib's profile, where every call
    /// makes a thunk.
    #[inline(always)]
    pub fn push_thunk(stack: &mut Vec<Value>, thunk: Gc<Thunk>) {
        stack.reserve(1);
        let len = stack.len();
        // SAFETY: the slot at `len` is within capacity; a `repr(C, u64)`
        // value is its tag word followed by its payload, here the `Gc`'s
        // pointer, whose count the slot takes over; the slot is then
        // initialised and the length raised over it.
        unsafe {
            let slot = stack.as_mut_ptr().add(len) as *mut u64;
            slot.write(THUNK_TAG);
            slot.add(1).write(Gc::into_word(thunk) as u64);
            stack.set_len(len + 1);
        }
    }
}

impl Thunk {
    /// A new thunk, not yet shared, behind its `Gc`.
    #[inline(always)]
    pub fn new_gc(state: ThunkState) -> Gc<Thunk> {
        Gc::new(Thunk(UnsafeCell::new(state)))
    }

    /// A new thunk, as the value that refers to it.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(state: ThunkState) -> Value {
        Value::Thunk(Thunk::new_gc(state))
    }

    /// A new thunk, not yet shared.
    pub fn from_state(state: ThunkState) -> Thunk {
        Thunk(UnsafeCell::new(state))
    }

    /// Puts a new state in; the old one is dropped after the thunk holds
    /// the new one.
    #[inline(always)]
    pub fn set(&self, state: ThunkState) {
        drop(self.replace(state));
    }

    /// Puts a new state in and gives back the old one.
    #[inline(always)]
    pub fn replace(&self, state: ThunkState) -> ThunkState {
        // SAFETY: no reference into the state exists outside `inspect`,
        // whose caller does not change thunks; the swap runs no other code.
        unsafe { std::mem::replace(&mut *self.0.get(), state) }
    }

    /// Looks at the state.
    ///
    /// # Safety
    /// `f` must not change the state of any thunk (directly or by running
    /// anything that might): it may match and clone, nothing more.
    #[inline(always)]
    pub unsafe fn inspect<R>(&self, f: impl FnOnce(&ThunkState) -> R) -> R {
        // SAFETY: states change only through `replace`, which the caller
        // promises not to reach while `f` holds the reference.
        f(unsafe { &*self.0.get() })
    }

    /// The state, when nothing else can reach the thunk.
    pub fn get_mut(&mut self) -> &mut ThunkState {
        self.0.get_mut()
    }

    /// The value, if it is known without running anything; this counts as
    /// forcing the thunk.
    #[inline(always)]
    pub fn value(&self) -> Option<Value> {
        // SAFETY: only matches and clones.
        let done = unsafe {
            self.inspect(|s| match s {
                ThunkState::Done(v) => Some(v.clone()),
                _ => None,
            })
        };
        // (Tested apart: a value paired with a flag was laid out in
        // overlapping pieces and read back whole, which stalls.)
        match done {
            Some(v) => Some(v),
            None => self.eager_value(),
        }
    }

    /// Pushes the value onto `out` if it is known without running
    /// anything (as [`Thunk::value`]), and says whether it did. The value is
    /// cloned from where the thunk keeps it: a value returned and then
    /// copied would be stored and read back in pieces, which stalls (the
    /// force instructions push it this way).
    #[inline(always)]
    pub fn push_value(&self, out: &mut Vec<Value>) -> bool {
        // SAFETY: only matches, clones and pushes onto a vector of values,
        // which changes no thunk (growing it moves values, drops none).
        let pushed = unsafe {
            self.inspect(|s| match s {
                ThunkState::Done(v) => {
                    out.push(v.clone());
                    true
                }
                _ => false,
            })
        };
        pushed
            || match self.eager_value() {
                Some(v) => {
                    out.push(v);
                    true
                }
                None => false,
            }
    }

    /// [`Thunk::value`] of a thunk in state `Eager`, which becomes `Done`.
    fn eager_value(&self) -> Option<Value> {
        // SAFETY: only matches and clones.
        let v = unsafe {
            self.inspect(|s| match s {
                ThunkState::Eager(v) => Some(v.clone()),
                _ => None,
            })
        }?;
        // Eager values are numbers or Booleans: the old state is forgotten
        // rather than dropped (nothing to drop, but the call would be made).
        std::mem::forget(self.replace(ThunkState::Done(v.clone())));
        Some(v)
    }

    /// The value if the thunk has been forced; looking does not force it.
    pub fn peek(&self) -> Option<Value> {
        // SAFETY: only matches and clones.
        unsafe {
            self.inspect(|s| match s {
                ThunkState::Done(v) => Some(v.clone()),
                _ => None,
            })
        }
    }
}

impl Value {
    pub fn string(s: impl Into<NixString>) -> Value {
        Value::String(s.into())
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Gc::new(List(items.into_boxed_slice())))
    }

    pub fn attrs(attrs: Attrs) -> Value {
        Value::Attrs(attrs)
    }

    /// The value itself, or what its thunk evaluated to; `None` for a thunk
    /// not yet evaluated. This counts as forcing (see [`Thunk::value`]).
    #[inline]
    pub fn resolved(&self) -> Option<Value> {
        match self {
            Value::Thunk(t) => t.value(),
            v => Some(v.clone()),
        }
    }

    /// As [`Value::resolved`], but only looking: for printers, which show a
    /// thunk not yet forced as such.
    pub fn peek(&self) -> Option<Value> {
        match self {
            Value::Thunk(t) => t.peek(),
            v => Some(v.clone()),
        }
    }

    pub fn is_thunk(&self) -> bool {
        matches!(self, Value::Thunk(_))
    }

    /// Whether the value holds no reference (null, a Boolean, a number):
    /// dropping it does nothing. One comparison of the tag, where the drop
    /// glue would be a call.
    #[inline(always)]
    pub fn owns_nothing(&self) -> bool {
        matches!(self, Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_))
    }

    /// The type name CppNix uses in messages and `builtins.typeOf`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Path(_) => "path",
            Value::Attrs(_) => "set",
            Value::List(_) => "list",
            Value::Lambda(_) | Value::PrimOp(_) => "lambda",
            Value::Thunk(_) => "thunk",
        }
    }

    /// How CppNix describes the type in "expected a X but found Y" errors.
    pub fn type_description(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a Boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::String(_) => "a string",
            Value::Path(_) => "a path",
            Value::Attrs(_) => "a set",
            Value::List(_) => "a list",
            Value::Lambda(_) => "a function",
            Value::PrimOp(p) if p.args.is_empty() => "a built-in function",
            Value::PrimOp(_) => "a partially applied built-in function",
            Value::Thunk(_) => "a thunk",
        }
    }

    /// Identity for values behind a pointer (CppNix compares functions and
    /// some sets by address).
    pub fn ptr_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Attrs(a), Value::Attrs(b)) => Attrs::ptr_eq(a, b),
            (Value::List(a), Value::List(b)) => Gc::ptr_eq(a, b),
            (Value::Lambda(a), Value::Lambda(b)) => Gc::ptr_eq(a, b),
            (Value::PrimOp(a), Value::PrimOp(b)) => Gc::ptr_eq(a, b),
            (Value::Thunk(a), Value::Thunk(b)) => Gc::ptr_eq(a, b),
            (Value::String(a), Value::String(b)) => NixString::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::String(s) => write!(f, "{:?}", String::from_utf8_lossy(s.as_bytes())),
            Value::Path(p) => write!(f, "{}", String::from_utf8_lossy(p)),
            Value::Attrs(a) => write!(f, "{{ {} attrs }}", a.len()),
            Value::List(l) => write!(f, "[ {} items ]", l.0.len()),
            Value::Lambda(_) => write!(f, "<LAMBDA>"),
            Value::PrimOp(p) => write!(f, "<PRIMOP {}>", p.op.name),
            Value::Thunk(_) => write!(f, "<thunk>"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn value_is_two_words() {
        assert_eq!(std::mem::size_of::<super::Value>(), 16);
        // `Value::push_thunk` writes a thunk as this tag and its pointer.
        let thunk = super::Thunk::new(super::ThunkState::Blackhole);
        let words: [u64; 2] = unsafe { std::mem::transmute_copy(&thunk) };
        assert_eq!(words[0], super::THUNK_TAG);
        let mut stack = Vec::new();
        let super::Value::Thunk(t) = &thunk else { unreachable!() };
        super::Value::push_thunk(&mut stack, t.clone());
        assert!(matches!(&stack[0], super::Value::Thunk(u) if super::Gc::ptr_eq(t, u)));
        assert_eq!(super::Gc::strong_count(t), 2);
        drop(stack);
        assert_eq!(super::Gc::strong_count(t), 1);
    }

    #[test]
    fn niches_stay() {
        assert_eq!(std::mem::size_of::<Option<super::Value>>(), 16);
        assert_eq!(std::mem::size_of::<crate::error::EvalResult<super::Value>>(), 16);
    }

    #[test]
    fn a_thunk_state_is_two_values() {
        // Every thunk is this big: a new state must fit.
        assert_eq!(std::mem::size_of::<super::ThunkState>(), 32);
    }

    #[test]
    fn an_environment_is_four_words() {
        // Its slots take the space of one value: a value, or a pointer to
        // more of them. With the reference count, 48 bytes.
        assert_eq!(std::mem::size_of::<super::Env>(), 32);
    }
}
