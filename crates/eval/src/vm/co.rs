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
use crate::value::Value;

pub enum Request {
    /// Evaluate to weak head normal form.
    Force(Value),
    /// As `Force`, for a forcer that names a position (CppNix's
    /// `forceValue(v, pos)`): an application is called from there.
    ForceAt(Value, Option<Pos>),
    /// Apply a function (forced) to an argument; the result is forced. The
    /// position, when known, is the call site shown in traces.
    Call(Value, Value, Option<Pos>),
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
    pub async fn force(&self, value: Value) -> EvalResult<Value> {
        if !value.is_thunk() {
            return Ok(value);
        }
        if let Some(v) = value.resolved() {
            return Ok(v);
        }
        self.ask(Request::Force(value)).await
    }

    /// The value in weak head normal form; an application (as `map` makes
    /// them) is called from `pos`.
    pub async fn force_at(&self, value: Value, pos: Option<Pos>) -> EvalResult<Value> {
        if !value.is_thunk() {
            return Ok(value);
        }
        if let Some(v) = value.resolved() {
            return Ok(v);
        }
        self.ask(Request::ForceAt(value, pos)).await
    }

    /// `func arg`, forced.
    pub async fn call(&self, func: Value, arg: Value) -> EvalResult<Value> {
        let func = self.force(func).await?;
        self.ask(Request::Call(func, arg, None)).await
    }

    /// `func arg`, forced, called from `pos` (a "from call site" in traces).
    pub async fn call_at(&self, func: Value, arg: Value, pos: Option<Pos>) -> EvalResult<Value> {
        let func = self.force(func).await?;
        self.ask(Request::Call(func, arg, pos)).await
    }

    /// `func a b`, forced.
    pub async fn call2(&self, func: Value, a: Value, b: Value) -> EvalResult<Value> {
        let partial = self.call(func, a).await?;
        self.call(partial, b).await
    }

    async fn ask(&self, request: Request) -> EvalResult<Value> {
        self.shared.borrow_mut().request = Some(request);
        Suspend(false).await;
        self.shared.borrow_mut().response.take().expect("the VM answers every request before resuming")
    }

    pub(crate) fn take_request(&self) -> Option<Request> {
        self.shared.borrow_mut().request.take()
    }

    pub(crate) fn answer(&self, result: EvalResult<Value>) {
        self.shared.borrow_mut().response = Some(result);
    }
}

/// Suspends once.
struct Suspend(bool);

impl Future for Suspend {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}
