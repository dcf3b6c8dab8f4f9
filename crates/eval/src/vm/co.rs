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
}

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
    pub fn force(&self, value: Value) -> Ask<'_> {
        match known(value) {
            Ok(v) => Ask::ready(self, v),
            Err(thunk) => Ask::new(self, Request::Force(thunk)),
        }
    }

    /// The value in weak head normal form; an application (as `map` makes
    /// them) is called from `pos`.
    pub fn force_at(&self, value: Value, pos: Option<Pos>) -> Ask<'_> {
        match known(value) {
            Ok(v) => Ask::ready(self, v),
            Err(thunk) => Ask::new(self, Request::ForceAt(thunk, pos)),
        }
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

    pub(crate) fn take_request(&self) -> Option<Request> {
        self.shared.borrow_mut().request.take()
    }

    pub(crate) fn answer(&self, result: EvalResult<Value>) {
        self.shared.borrow_mut().response = Some(result);
    }
}

/// The value in weak head normal form if it is known without running
/// anything, or else the thunk.
fn known(value: Value) -> Result<Value, Value> {
    match &value {
        Value::Thunk(t) => t.value().ok_or(value),
        _ => Ok(value),
    }
}

/// One question to the VM: the first poll leaves the request and
/// suspends, the next takes the answer. A value already known is answered
/// at once. Written by hand rather than as an `async fn` so that a builtin
/// awaiting it polls one small state machine, not a nest of them.
pub struct Ask<'a> {
    co: &'a Co,
    state: AskState,
}

enum AskState {
    Ready(Value),
    Request(Request),
    Waiting,
}

impl<'a> Ask<'a> {
    fn new(co: &'a Co, request: Request) -> Ask<'a> {
        Ask { co, state: AskState::Request(request) }
    }

    fn ready(co: &'a Co, value: Value) -> Ask<'a> {
        Ask { co, state: AskState::Ready(value) }
    }
}

impl Future for Ask<'_> {
    type Output = EvalResult<Value>;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<EvalResult<Value>> {
        match std::mem::replace(&mut self.state, AskState::Waiting) {
            AskState::Ready(v) => Poll::Ready(Ok(v)),
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
