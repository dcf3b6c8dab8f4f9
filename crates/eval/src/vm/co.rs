//! How code written in Rust asks the VM to evaluate Nix.
//!
//! A builtin that must force a value or call a function is an `async` Rust
//! function. Awaiting [`Co::force`] or [`Co::call`] leaves a request in the
//! shared slot and suspends the future; the VM sees the request, pushes the
//! frames that answer it, and polls the future again with the answer. The
//! Rust stack never grows with Nix's call depth.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::error::EvalResult;
use crate::source::Pos;
use crate::state::EvalState;
use crate::value::{Gc, List, Value};

pub enum Request {
    /// Evaluate to weak head normal form.
    Force(Value),
    /// As `Force`, for a forcer that names a position (CppNix's
    /// `forceValue(v, pos)`): an application is called from there.
    ForceAt(Value, Option<Pos>),
    /// Apply a function (forced first if need be) to an argument; the
    /// result is forced. The position, when known, is the call site shown
    /// in traces.
    Call(Value, Value, Option<Pos>),
    /// `func a b`, forced.
    Call2(Value, Value, Value),
    /// `foldl' func acc list` with `func` forced: the VM runs the loop in
    /// a frame of its own rather than the builtin suspending per element.
    FoldStrict(Value, Value, Gc<List>),
    /// `func` (forced) applied to each element of the list in turn, each
    /// answer a Boolean, as `filter`, `any` and `all` do: the VM runs the
    /// loop in a frame of its own.
    Each(Value, Gc<List>, Each),
    /// `builtins.listToAttrs` of the list: the VM walks it in a frame of
    /// its own, forcing elements and names as it goes.
    ListToAttrs(Gc<List>),
    /// Every element of the list forced, in order, each checked once it is
    /// (the first error, from forcing or from the check, ends the walk):
    /// a builtin that needs its elements evaluated does not suspend once
    /// per element. The answer is `null`; the elements are then known.
    ForceEach(Gc<List>, ElementCheck),
}

/// What a [`Request::ForceEach`] requires of each element once forced.
pub type ElementCheck = fn(&EvalState, &Value) -> EvalResult<()>;

/// What [`Request::Each`] makes of the answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Each {
    /// The list of the elements answered `true` (`builtins.filter`).
    Filter,
    /// Whether an answer is `true`, stopping at the first (`builtins.any`).
    Any,
    /// Whether every answer is `true`, stopping at the first `false`
    /// (`builtins.all`).
    All,
}

impl Each {
    /// The trace frame of an answer that is not a Boolean.
    pub(crate) fn answer_frame(self) -> &'static str {
        match self {
            Each::Filter => "while evaluating the return value of the filtering function passed to builtins.filter",
            Each::Any => "while evaluating the return value of the function passed to builtins.any",
            Each::All => "while evaluating the return value of the function passed to builtins.all",
        }
    }
}

struct Shared {
    request: Option<Request>,
    response: Option<EvalResult<Value>>,
}

/// The handle a suspended builtin uses to talk to the VM.
#[derive(Clone)]
pub struct Co {
    shared: Rc<RefCell<Shared>>,
    pub state: Rc<EvalState>,
}

pub type NativeFuture = Pin<Box<dyn Future<Output = EvalResult<Value>>>>;

impl Co {
    pub(crate) fn new(state: Rc<EvalState>) -> Co {
        Co { shared: Rc::new(RefCell::new(Shared { request: None, response: None })), state }
    }

    /// The value in weak head normal form.
    pub fn force(&self, value: Value) -> Force<'_> {
        Force { value: Some(value), co: self, pos: None, at: false }
    }

    /// The value in weak head normal form; an application (as `map` makes
    /// them) is called from `pos`.
    pub fn force_at(&self, value: Value, pos: Option<Pos>) -> Force<'_> {
        Force { value: Some(value), co: self, pos, at: true }
    }

    /// `func arg`, forced.
    pub fn call(&self, func: Value, arg: Value) -> Ask<'_> {
        Ask::new(self, Request::Call(func, arg, None))
    }

    /// `func arg`, forced, called from `pos` (a "from call site" in traces).
    pub fn call_at(&self, func: Value, arg: Value, pos: Option<Pos>) -> Ask<'_> {
        Ask::new(self, Request::Call(func, arg, pos))
    }

    /// `func a b`, forced.
    pub fn call2(&self, func: Value, a: Value, b: Value) -> Ask<'_> {
        Ask::new(self, Request::Call2(func, a, b))
    }

    /// `acc` folded strictly from the left over `list` with `func` (forced),
    /// as `builtins.foldl'`: the result is forced.
    pub fn fold_strict(&self, func: Value, acc: Value, list: Gc<List>) -> Ask<'_> {
        Ask::new(self, Request::FoldStrict(func, acc, list))
    }

    /// `func` (forced) applied to each element of `list` (see [`Each`]).
    pub fn each(&self, func: Value, list: Gc<List>, each: Each) -> Ask<'_> {
        Ask::new(self, Request::Each(func, list, each))
    }

    /// `builtins.listToAttrs list` (see [`Request::ListToAttrs`]).
    pub fn list_to_attrs(&self, list: Gc<List>) -> Ask<'_> {
        Ask::new(self, Request::ListToAttrs(list))
    }

    /// Every element of `list` forced and checked, in order (see
    /// [`Request::ForceEach`]).
    pub fn force_each(&self, list: Gc<List>, check: ElementCheck) -> Ask<'_> {
        Ask::new(self, Request::ForceEach(list, check))
    }

    pub(crate) fn take_request(&self) -> Option<Request> {
        self.shared.borrow_mut().request.take()
    }

    pub(crate) fn answer(&self, result: EvalResult<Value>) {
        self.shared.borrow_mut().response = Some(result);
    }
}

/// [`Co::force`] and [`Co::force_at`]: the value at once when it is known
/// without running anything, else a request to the VM. A plain struct with
/// the value first, not a request wrapped in a state: building nested enums
/// around a value copies it in overlapping pieces, and reading it back whole
/// then waits for those stores (this is on the path of every force a
/// builtin makes).
pub struct Force<'a> {
    /// The value to force; `None` once the request is made.
    value: Option<Value>,
    co: &'a Co,
    pos: Option<Pos>,
    /// Whether the request names `pos` (a [`Request::ForceAt`]).
    at: bool,
}

impl Future for Force<'_> {
    type Output = EvalResult<Value>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<EvalResult<Value>> {
        let Some(value) = self.value.take() else {
            return Poll::Ready(
                self.co.shared.borrow_mut().response.take().expect("the VM answers every request before resuming"),
            );
        };
        let thunk = match value {
            Value::Thunk(t) => match t.value() {
                Some(v) => return Poll::Ready(Ok(v)),
                None => Value::Thunk(t),
            },
            v => return Poll::Ready(Ok(v)),
        };
        let request = if self.at { Request::ForceAt(thunk, self.pos) } else { Request::Force(thunk) };
        self.co.shared.borrow_mut().request = Some(request);
        Poll::Pending
    }
}

/// One question to the VM: the first poll leaves the request and
/// suspends, the next takes the answer. Written by hand rather than as an
/// `async fn` so that a builtin awaiting it polls one small state machine,
/// not a nest of them.
pub struct Ask<'a> {
    co: &'a Co,
    state: AskState,
}

enum AskState {
    Request(Request),
    Waiting,
}

impl<'a> Ask<'a> {
    fn new(co: &'a Co, request: Request) -> Ask<'a> {
        Ask { co, state: AskState::Request(request) }
    }
}

impl Future for Ask<'_> {
    type Output = EvalResult<Value>;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<EvalResult<Value>> {
        match std::mem::replace(&mut self.state, AskState::Waiting) {
            AskState::Request(r) => {
                self.co.shared.borrow_mut().request = Some(r);
                Poll::Pending
            }
            AskState::Waiting => Poll::Ready(
                self.co.shared.borrow_mut().response.take().expect("the VM answers every request before resuming"),
            ),
        }
    }
}
