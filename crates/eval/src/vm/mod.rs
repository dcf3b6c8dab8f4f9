//! The virtual machine: runs chunks with an explicit frame stack.
//!
//! Three kinds of frames sit on the stack: running code; a thunk waiting
//! for the value that will replace it; and a suspended builtin waiting for
//! an answer (see [`co`]). When a frame finishes, its value (or error) is
//! delivered to the frame below it. Nothing here recurses on the Rust stack
//! per Nix call or per force, so recursion depth is bounded only by
//! `max_call_depth`.

mod assert_eq;
pub mod co;
mod eager;
mod ops;

use std::mem::ManuallyDrop;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::builtins::{Impl, PrimOp};
use crate::chunk::{Chunk, LambdaInfo, Op};
use crate::error::{ErrorKind, EvalError, EvalResult, TraceFrame};
use crate::source::Pos;
use crate::state::EvalState;
use crate::symbol::Symbol;
use crate::value::{Attr, Attrs, Closure, Env, Gc, List, PrimOpApp, Thunk, ThunkState, Value};

pub use co::{Co, Each, NativeFuture, Request};

/// Pushes a frame onto `$vm.frames`, built in its slot. A frame built
/// elsewhere and copied in is written in small pieces and read back in
/// large ones, and the processor cannot forward such stores to such
/// loads: it waits for them, on every call.
macro_rules! push_frame {
    ($vm:expr, $frame:expr) => {{
        let frames = &mut $vm.frames;
        frames.reserve(1);
        let len = frames.len();
        frames.spare_capacity_mut()[0].write($frame);
        // SAFETY: the slot at `len`, within capacity, was just initialised.
        unsafe { frames.set_len(len + 1) };
    }};
}

enum Frame {
    Code {
        chunk: Gc<Chunk>,
        ip: usize,
        env: Gc<Env>,
        /// Where this frame's values start on the value stack.
        base: usize,
        owner: Owner,
    },
    /// The value delivered here becomes the thunk's value, or the error its
    /// remembered failure.
    Thunk { thunk: Gc<Thunk>, original: ThunkState },
    /// A suspended routine: a builtin (with its call site, whose errors
    /// gain the builtin's frame and whose result is forced), or the VM's
    /// own helper.
    Native { future: NativeFuture, builtin: Option<(&'static PrimOp, Option<Pos>)> },
    /// Calls the function delivered here with `arg` (from `pos`); errors
    /// pass unchanged.
    Apply { arg: Value, pos: Option<Pos> },
    /// A builtin of `Impl::Strict` (or a native that forces its arguments
    /// first) whose arguments are being forced, in order; `next` is the one
    /// after the argument being forced.
    StrictArgs { op: &'static PrimOp, args: Vec<Value>, next: usize, pos: Option<Pos> },
    /// A strict left fold ([`Request::FoldStrict`]): the value delivered
    /// here is the accumulator; `f` is applied to it and `list[next]` next.
    /// Errors pass unchanged.
    Fold { f: Value, list: Gc<List>, next: usize },
    /// A [`Request::Each`] loop: the value delivered here is `f`'s answer
    /// for `list[next - 1]`; `kept` collects a filter's elements. Errors
    /// pass unchanged.
    Each { f: Value, list: Gc<List>, next: u32, each: Each, kept: Vec<Value> },
    /// A [`Request::ListToAttrs`] walk: the value delivered here is the
    /// element before `next`, forced, or (when `naming` holds its set and
    /// the name's position) that element's name. Errors forcing a name gain
    /// the name's frame; others pass unchanged.
    ListToAttrs { list: Gc<List>, next: u32, pairs: Vec<(Symbol, Attrs)>, naming: Option<(Attrs, Option<Pos>)> },
    /// A [`Request::ForceEach`] walk: the value delivered here is the
    /// element before `next`, forced, to check. Errors pass unchanged.
    ForceEach { list: Gc<List>, next: u32, check: co::ElementCheck },
    /// Adds a frame to an error passing through; values pass unchanged.
    /// The frame's text is that of selection step `step` of `chunk`.
    Context { chunk: Gc<Chunk>, step: u32, pos: Option<Pos> },
}

/// What a code frame runs for.
enum Owner {
    /// A file's top level.
    Top,
    /// A function body, which counts towards the call depth: the function
    /// and where it was called from.
    Call(Gc<LambdaInfo>, Option<Pos>),
    /// A thunk's code (one frame rather than a code frame over a thunk
    /// frame): the value returned becomes the thunk's, an error its
    /// remembered failure. `env` is the thunk's environment, to suspend
    /// it again after a stack overflow.
    Thunk(Gc<Thunk>, Gc<Env>),
}

pub struct Vm {
    pub state: Rc<EvalState>,
    /// The handle every builtin frame shares: only the builtin on top is
    /// ever polled, and its request is taken as soon as it suspends.
    co: Co,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    call_depth: usize,
}

/// What starting a force or a call gave: a value at once, or frames pushed
/// whose result will be delivered to the frame now on top.
type Started = Option<EvalResult<Value>>;

impl Vm {
    pub fn new(state: Rc<EvalState>) -> Vm {
        Vm {
            co: Co::new(state.clone()),
            state,
            stack: Vec::with_capacity(1024),
            frames: Vec::with_capacity(256),
            call_depth: 0,
        }
    }

    /// Evaluates `value` to weak head normal form.
    pub fn force(&mut self, value: Value) -> EvalResult<Value> {
        let entry = self.frames.len();
        let started = self.begin_force(value);
        self.run(entry, started)
    }

    /// Applies `func` to `arg` and evaluates the result.
    pub fn call(&mut self, func: Value, arg: Value) -> EvalResult<Value> {
        let func = self.force(func)?;
        let entry = self.frames.len();
        let started = self.begin_call(func, arg, None);
        self.run(entry, started)
    }

    /// Runs a future (a routine written with [`Co`]) to completion.
    pub fn run_native(&mut self, f: impl FnOnce(Co) -> NativeFuture) -> EvalResult<Value> {
        let entry = self.frames.len();
        let started = self.spawn(f);
        self.run(entry, started)
    }

    /// Runs a file's top-level chunk in the global environment.
    pub fn run_chunk(&mut self, chunk: Gc<Chunk>) -> EvalResult<Value> {
        let entry = self.frames.len();
        let env = Env::new(None, 0);
        let base = self.stack.len();
        push_frame!(self, Frame::Code { chunk, ip: 0, env, base, owner: Owner::Top });
        self.run(entry, None)
    }

    fn run(&mut self, entry: usize, mut incoming: Started) -> EvalResult<Value> {
        loop {
            if let Some(result) = incoming.take() {
                if self.frames.len() == entry {
                    return result;
                }
                incoming = self.deliver(result);
                continue;
            }
            incoming = match self.frames.last() {
                Some(Frame::Code { .. }) => match self.execute(entry) {
                    Ok(started) => started,
                    Err(e) => Some(Err(e)),
                },
                _ => unreachable!("only code frames run without a delivery"),
            };
        }
    }

    /// Hands a finished value or error to the frame on top.
    fn deliver(&mut self, result: EvalResult<Value>) -> Started {
        match self.frames.last_mut().expect("a frame waits for the delivery") {
            Frame::Code { ip, .. } => match result {
                Ok(v) => {
                    self.stack.push(v);
                    None
                }
                Err(e) => {
                    let at = ip.saturating_sub(1);
                    Some(Err(self.unwind_code(e, at)))
                }
            },
            Frame::Thunk { .. } => {
                let Some(Frame::Thunk { thunk, original }) = self.frames.pop() else { unreachable!() };
                match result {
                    Ok(v) => {
                        thunk.set(ThunkState::Done(v.clone()));
                        Some(Ok(v))
                    }
                    Err(e) => Some(Err(thunk_failed(&thunk, e, original))),
                }
            }
            Frame::Native { .. } => {
                self.co.answer(result);
                self.poll_native()
            }
            Frame::Apply { .. } => {
                let Some(Frame::Apply { arg, pos }) = self.frames.pop() else { unreachable!() };
                match result {
                    Ok(func) => self.begin_call(func, arg, pos),
                    err => Some(err),
                }
            }
            Frame::StrictArgs { .. } => match result {
                Ok(v) => {
                    let Some(Frame::StrictArgs { args, next, .. }) = self.frames.last_mut() else { unreachable!() };
                    args[*next - 1] = v;
                    self.strict_args_step()
                }
                Err(e) => {
                    let Some(Frame::StrictArgs { op, pos, .. }) = self.frames.pop() else { unreachable!() };
                    // The frame a native adds to such an error itself.
                    let e = match op.force_error {
                        Some(add_frame) => add_frame(&self.state, e),
                        None => e,
                    };
                    Some(Err(builtin_failed(op, e, &[], pos)))
                }
            },
            Frame::Fold { .. } => match result {
                Ok(acc) => self.fold_step(acc),
                err => {
                    self.frames.pop();
                    Some(err)
                }
            },
            Frame::Each { .. } => match result {
                Ok(Value::Bool(answer)) => self.each_step(answer),
                Ok(other) => {
                    let Some(Frame::Each { each, .. }) = self.frames.pop() else { unreachable!() };
                    use crate::builtins::args::{self, Context};
                    Some(args::bool(&self.state, &other).context(each.answer_frame()).map(Value::Bool))
                }
                err => {
                    self.frames.pop();
                    Some(err)
                }
            },
            Frame::ListToAttrs { .. } => match result {
                Ok(v) => self.list_to_attrs_step(Some(v)),
                Err(e) => {
                    let Some(Frame::ListToAttrs { naming, .. }) = self.frames.pop() else { unreachable!() };
                    Some(Err(match naming {
                        Some((_, pos)) => e.with_frame(crate::builtins::attrs::pairs::NAME_FRAME, pos),
                        None => e,
                    }))
                }
            },
            Frame::ForceEach { check, .. } => match result.and_then(|v| check(&self.state, &v)) {
                Ok(()) => self.force_each_step(),
                Err(e) => {
                    self.frames.pop();
                    Some(Err(e))
                }
            },
            Frame::Context { .. } => {
                let Some(Frame::Context { chunk, step, pos }) = self.frames.pop() else { unreachable!() };
                Some(result.map_err(|e| e.with_frame(chunk.select_steps[step as usize].frame_text(), pos)))
            }
        }
    }

    /// Pops the code frame on top, which failed at instruction `at`: the
    /// error gains the frames of the constructs around `at` and, for a
    /// function body, of the call.
    fn unwind_code(&mut self, mut e: EvalError, at: usize) -> EvalError {
        let Some(Frame::Code { chunk, base, owner, .. }) = self.frames.pop() else { unreachable!() };
        self.stack.truncate(base);
        chunk.add_trace(&mut e, at);
        if let Owner::Thunk(thunk, env) = owner {
            return thunk_failed(&thunk, e, ThunkState::Suspended { chunk, env });
        }
        if let Owner::Call(lambda, call_pos) = owner {
            self.call_depth -= 1;
            // The first instructions of a function with formals take the
            // argument apart: CppNix does that before the body, so only
            // the call site is added, not the call itself.
            if lambda.formals.is_some() && at <= FORMALS_PROLOGUE_END {
                if at < FORMALS_PROLOGUE_END {
                    let lambda_pos = Some(lambda.pos);
                    e.push_frame("while evaluating the value passed for the lambda argument", lambda_pos);
                }
                if call_pos.is_some() {
                    e.push_frame("from call site", call_pos);
                }
            } else if self.state.settings.show_trace {
                let message = match lambda.name {
                    Some(name) => format!("while calling '{}'", self.state.name(name)),
                    None => "while calling anonymous lambda".to_string(),
                };
                e.push_frame(message, Some(lambda.pos));
                if call_pos.is_some() {
                    e.push_frame("from call site", call_pos);
                }
            }
        }
        e
    }

    fn poll_native(&mut self) -> Started {
        let Some(Frame::Native { future, .. }) = self.frames.last_mut() else { unreachable!() };
        self.state.native_call_depth.set(self.call_depth + self.state.extra_call_depth.get());
        let mut cx = Context::from_waker(Waker::noop());
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(result) => {
                let Some(Frame::Native { builtin, .. }) = self.frames.pop() else { unreachable!() };
                match (builtin, result) {
                    (None, result) => Some(result),
                    (Some(_), Ok(v)) => self.forced(Ok(v)),
                    // Natives name their arguments in their own frames.
                    (Some((op, pos)), Err(e)) => Some(Err(builtin_failed(op, e, &[], pos))),
                }
            }
            Poll::Pending => {
                let request = self.co.take_request().expect("a suspended builtin leaves a request");
                match request {
                    Request::Force(v) => self.begin_force(v),
                    Request::ForceAt(v, pos) => self.begin_force_at(v, pos),
                    Request::Call(f, arg, pos) => self.begin_apply(f, arg, pos),
                    Request::FoldStrict(f, acc, list) => self.begin_fold(f, acc, list),
                    Request::Call2(f, a, b) => self.begin_call2(f, a, b),
                    Request::Each(f, list, each) => self.begin_each(f, list, each),
                    Request::ForceEach(list, check) => {
                        push_frame!(self, Frame::ForceEach { list, next: 0, check });
                        self.force_each_step()
                    }
                    Request::ListToAttrs(list) => {
                        let pairs = Vec::with_capacity(list.0.len());
                        push_frame!(self, Frame::ListToAttrs { list, next: 0, pairs, naming: None });
                        self.list_to_attrs_step(None)
                    }
                }
            }
        }
    }

    /// Starts `func arg` where `func` may still be a thunk.
    fn begin_apply(&mut self, func: Value, arg: Value, pos: Option<Pos>) -> Started {
        match func {
            Value::Thunk(ref t) => match t.value() {
                Some(f) => self.begin_call(f, arg, pos),
                None => {
                    push_frame!(self, Frame::Apply { arg, pos });
                    self.begin_force(func)
                }
            },
            f => self.begin_call(f, arg, pos),
        }
    }

    /// Starts running a future as a frame.
    fn spawn(&mut self, f: impl FnOnce(Co) -> NativeFuture) -> Started {
        let future = f(self.co.clone());
        push_frame!(self, Frame::Native { future, builtin: None });
        self.poll_native()
    }

    #[inline(always)]
    pub(crate) fn begin_force(&mut self, value: Value) -> Started {
        self.begin_force_at(value, None)
    }

    /// Starts forcing `value`; an application is called from `pos`.
    /// Inlined for its usual outcome, code to run (a thunk's own, or the
    /// function's it applies), which then needs no answer passed back
    /// through memory (see `push_frame`).
    #[inline(always)]
    fn begin_force_at(&mut self, value: Value, pos: Option<Pos>) -> Started {
        let Value::Thunk(thunk) = value else { return Some(Ok(value)) };
        let state = thunk.replace(ThunkState::Blackhole);
        match state {
            ThunkState::Suspended { chunk, env } => {
                let (base, thunk_env) = (self.stack.len(), env.clone());
                push_frame!(self, Frame::Code { chunk, ip: 0, env, base, owner: Owner::Thunk(thunk, thunk_env) });
                None
            }
            ThunkState::Apply { func, arg }
                if matches!(&func, Value::Lambda(c) if c.lambda.returns_lambda.is_none()) && !self.too_deep() =>
            {
                let Value::Lambda(c) = &func else { unreachable!("matched") };
                let c = c.clone();
                // The state moves into the frame whole: a value rebuilt from
                // its pointer would be written in pieces and read back whole.
                let a = arg.clone();
                push_frame!(self, Frame::Thunk { thunk, original: ThunkState::Apply { func, arg: a } });
                self.push_call(&c.lambda, &c.env, arg, pos);
                None
            }
            state => self.begin_force_state(thunk, state, pos),
        }
    }

    /// [`Vm::begin_force_at`] of a thunk in any other state (now blackholed).
    #[inline(never)]
    fn begin_force_state(&mut self, thunk: Gc<Thunk>, state: ThunkState, pos: Option<Pos>) -> Started {
        match state {
            ThunkState::Done(v) | ThunkState::Eager(v) => {
                thunk.set(ThunkState::Done(v.clone()));
                Some(Ok(v))
            }
            ThunkState::Blackhole => {
                let mut e = EvalError::new(ErrorKind::InfiniteRecursion, "infinite recursion encountered");
                e.cycle = Some(thunk_id(&thunk));
                Some(Err(e))
            }
            ThunkState::Failed(e) => {
                // A fresh instance: frames added from here on are this
                // force's own.
                let mut error = e.clone();
                error.trace = e.trace.fresh();
                thunk.set(ThunkState::Failed(e));
                Some(Err(error))
            }
            ThunkState::Suspended { .. } => unreachable!("begin_force_at runs suspended thunks"),
            ThunkState::Apply { func, arg } => {
                let (f, a) = (func.clone(), arg.clone());
                push_frame!(self, Frame::Thunk { thunk, original: ThunkState::Apply { func: f, arg: a } });
                self.begin_apply(func, arg, pos)
            }
            ThunkState::ApplyToAttr { func, set, index } => {
                let attr = set.at(index as usize);
                let (name, value) = (Value::String(self.state.name_string(attr.name)), attr.value.clone());
                let f = Value::Thunk(func.clone());
                push_frame!(self, Frame::Thunk { thunk, original: ThunkState::ApplyToAttr { func, set, index } });
                self.begin_call2(f, name, value)
            }
        }
    }

    /// Starts `func arg`; `pos` is the call site, for traces. Inlined, so
    /// that a function call's usual answer ("frames pushed") is not passed
    /// back through memory, which the caller would wait on.
    #[inline(always)]
    pub(crate) fn begin_call(&mut self, func: Value, arg: Value, pos: Option<Pos>) -> Started {
        match func {
            Value::Lambda(closure) => self.enter(&closure.lambda, &closure.env, arg, pos),
            other => self.begin_call_other(other, arg, pos),
        }
    }

    /// [`Vm::begin_call`] of anything but a function.
    #[inline(never)]
    fn begin_call_other(&mut self, func: Value, arg: Value, pos: Option<Pos>) -> Started {
        match func {
            Value::Lambda(closure) => self.enter(&closure.lambda, &closure.env, arg, pos),
            Value::PrimOp(app) => {
                // A builtin of one argument that can run at once needs no
                // vector of arguments (an evaluated thunk counts as its
                // value).
                if app.args.is_empty() && app.op.arity == 1 {
                    if let Some(result) =
                        arg.resolved().and_then(|arg| builtin_now(&self.state, app.op, std::slice::from_ref(&arg), pos))
                    {
                        return self.forced(result);
                    }
                }
                let mut args = Vec::with_capacity(app.args.len() + 1);
                args.extend(app.args.iter().cloned());
                args.push(arg);
                if args.len() < app.op.arity as usize {
                    return Some(Ok(Value::PrimOp(Gc::new(PrimOpApp { op: app.op, args }))));
                }
                self.invoke(app.op, args, pos)
            }
            Value::Attrs(set) => {
                let functor = self.state.sym.functor;
                match set.get_attr(functor).map(|a| (a.value.clone(), a.pos)) {
                    Some((f, functor_pos)) => self.spawn(move |co| {
                        Box::pin(async move {
                            let called = async {
                                let g = co.call_at(f, Value::Attrs(set), functor_pos).await?;
                                co.call_at(g, arg, functor_pos).await
                            };
                            called.await.map_err(|e| {
                                e.with_frame(
                                    "while calling a functor (an attribute set with a '__functor' attribute)",
                                    pos,
                                )
                            })
                        })
                    }),
                    None => Some(Err(at_opt(not_callable(&self.state, &Value::Attrs(set)), pos))),
                }
            }
            other => Some(Err(at_opt(not_callable(&self.state, &other), pos))),
        }
    }

    /// Whether one more function call would pass `max_call_depth`.
    fn too_deep(&self) -> bool {
        self.call_depth + self.state.extra_call_depth.get() > self.state.settings.max_call_depth
    }

    /// Calls the function `lambda` closing over `env` with `arg`.
    #[inline(always)]
    fn enter(&mut self, lambda: &Gc<LambdaInfo>, env: &Gc<Env>, arg: Value, pos: Option<Pos>) -> Started {
        if self.too_deep() {
            return Some(Err(stack_overflow(pos)));
        }
        if let Some(i) = lambda.returns_lambda {
            let env = Env::for_call(env.clone(), lambda.env_size as usize, arg);
            let lambda = lambda.body.lambdas[i as usize].clone();
            return Some(Ok(Value::Lambda(Gc::new(Closure { lambda, env }))));
        }
        self.push_call(lambda, env, arg, pos);
        None
    }

    /// Pushes the frame of a call of `lambda` (closing over `env`) with
    /// `arg`, which is within the call depth and does not return a
    /// function at once.
    #[inline(always)]
    fn push_call(&mut self, lambda: &Gc<LambdaInfo>, env: &Gc<Env>, arg: Value, pos: Option<Pos>) {
        self.call_depth += 1;
        let chunk = lambda.body.clone();
        let (base, lambda) = (self.stack.len(), lambda.clone());
        if lambda.stack_env {
            // The argument waits at the frame's base; the closure's
            // environment is the frame's.
            push_frame!(self, Frame::Code { chunk, ip: 0, env: env.clone(), base, owner: Owner::Call(lambda, pos) });
            self.stack.push(arg);
        } else {
            let env = Env::for_call(env.clone(), lambda.env_size as usize, arg);
            push_frame!(self, Frame::Code { chunk, ip: 0, env, base, owner: Owner::Call(lambda, pos) });
        }
    }

    /// Starts `f a b` where `f` may still be a thunk. A function of two
    /// arguments (`a: b: ...`) is entered at once, without making the
    /// function `f a` would return.
    fn begin_call2(&mut self, f: Value, a: Value, b: Value) -> Started {
        let f = match f {
            Value::Thunk(ref t) => t.value().unwrap_or(f),
            f => f,
        };
        if let Value::Lambda(c) = &f {
            if c.lambda.call2.is_some() && !self.too_deep() {
                self.push_call2(c, a, b);
                return None;
            }
            if let Some(i) = c.lambda.returns_lambda {
                if !self.too_deep() {
                    let env = Env::for_call(c.env.clone(), c.lambda.env_size as usize, a);
                    return self.enter(&c.lambda.body.lambdas[i as usize], &env, b, None);
                }
            }
        }
        push_frame!(self, Frame::Apply { arg: b, pos: None });
        self.begin_apply(f, a, None)
    }

    /// Pushes the frame of `c a b` for a function with a [`LambdaInfo::call2`]
    /// body, within the call depth: both arguments on the stack, no
    /// environment made.
    #[inline(always)]
    fn push_call2(&mut self, c: &Closure, a: Value, b: Value) {
        let Some(call2) = &c.lambda.call2 else { unreachable!("checked by the caller") };
        self.call_depth += 1;
        let (chunk, inner, env, base) = (call2.body.clone(), call2.inner.clone(), c.env.clone(), self.stack.len());
        push_frame!(self, Frame::Code { chunk, ip: 0, env, base, owner: Owner::Call(inner, None) });
        self.stack.push(a);
        self.stack.push(b);
    }

    /// Runs a builtin with all its arguments; its errors get the frame
    /// "while calling the 'X' builtin" at the call site.
    fn invoke(&mut self, op: &'static PrimOp, args: Vec<Value>, pos: Option<Pos>) -> Started {
        match builtin_now(&self.state, op, &args, pos) {
            Some(result) => self.forced(result),
            None => self.invoke_in_frame(op, args, pos),
        }
    }

    /// Runs a builtin that [`builtin_now`] could not: a strict one forces
    /// its arguments first, a native one runs its future.
    fn invoke_in_frame(&mut self, op: &'static PrimOp, args: Vec<Value>, pos: Option<Pos>) -> Started {
        match op.imp {
            Impl::Strict(_) => {
                push_frame!(self, Frame::StrictArgs { op, args, next: 0, pos });
                self.strict_args_step()
            }
            Impl::Native(_) => self.invoke_native(op, args, pos),
        }
    }

    /// Runs a native builtin whose fast path declined. One that forces
    /// its arguments first (see `PrimOp::forces_args_first`) has them
    /// forced here, in a [`Frame::StrictArgs`], and its fast path tried
    /// again: `toString` of a thunk needs no future then.
    fn invoke_native(&mut self, op: &'static PrimOp, args: Vec<Value>, pos: Option<Pos>) -> Started {
        if op.forces_args_first && args.iter().any(|a| a.is_thunk()) {
            push_frame!(self, Frame::StrictArgs { op, args, next: 0, pos });
            return self.strict_args_step();
        }
        self.invoke_future(op, args, pos)
    }

    /// Runs a native builtin's future (its fast path, if any, declined).
    fn invoke_future(&mut self, op: &'static PrimOp, args: Vec<Value>, pos: Option<Pos>) -> Started {
        let Impl::Native(f) = op.imp else { unreachable!("only natives have futures") };
        let future = f(self.co.clone(), args);
        push_frame!(self, Frame::Native { future, builtin: Some((op, pos)) });
        self.poll_native()
    }

    /// The builtin waiting in the [`Frame::StrictArgs`] on top: forces its
    /// next argument that needs it, or calls it when none is left.
    fn strict_args_step(&mut self) -> Started {
        let Some(Frame::StrictArgs { args, next, .. }) = self.frames.last_mut() else { unreachable!() };
        while let Some(arg) = args.get_mut(*next) {
            *next += 1;
            if let Value::Thunk(t) = arg {
                match t.value() {
                    Some(v) => *arg = v,
                    None => {
                        let thunk = arg.clone();
                        return self.begin_force(thunk);
                    }
                }
            }
        }
        let Some(Frame::StrictArgs { op, args, pos, .. }) = self.frames.pop() else { unreachable!() };
        match op.imp {
            Impl::Strict(f) => {
                let result = f(&self.state, &args).map_err(|e| builtin_failed(op, e, &args, pos));
                self.forced(result)
            }
            // A native that forces its arguments first: its fast path
            // again, or its future (which finds them forced).
            Impl::Native(_) => match op.fast.and_then(|fast| fast(&self.state, &args)) {
                Some(result) => self.forced(result.map_err(|e| builtin_failed(op, e, &[], pos))),
                None => self.invoke_future(op, args, pos),
            },
        }
    }

    /// Starts a strict left fold in a [`Frame::Fold`].
    fn begin_fold(&mut self, f: Value, acc: Value, list: Gc<List>) -> Started {
        let empty = list.0.is_empty();
        push_frame!(self, Frame::Fold { f, list, next: 0 });
        // An empty list gives the accumulator, forced: its value is
        // delivered to the frame, which then has nothing left to apply.
        if empty {
            self.begin_force(acc)
        } else {
            self.fold_step(acc)
        }
    }

    /// Starts a [`Request::Each`] loop in a [`Frame::Each`].
    fn begin_each(&mut self, f: Value, list: Gc<List>, each: Each) -> Started {
        let Some(first) = list.0.first().cloned() else {
            return Some(Ok(match each {
                Each::Filter => Value::List(list),
                Each::Any => Value::Bool(false),
                Each::All => Value::Bool(true),
            }));
        };
        push_frame!(self, Frame::Each { f: f.clone(), list, next: 1, each, kept: Vec::new() });
        self.begin_apply(f, first, None)
    }

    /// The loop on top has `f`'s answer for the element before `next`:
    /// note it, then apply `f` to the next element, or finish.
    fn each_step(&mut self, answer: bool) -> Started {
        let Some(Frame::Each { f, list, next, each, kept }) = self.frames.last_mut() else { unreachable!() };
        let done = match *each {
            Each::Filter => {
                if answer {
                    kept.push(list.0[*next as usize - 1].clone());
                }
                None
            }
            Each::Any => answer.then_some(true),
            Each::All => (!answer).then_some(false),
        };
        let (x, f) = match (done, list.0.get(*next as usize)) {
            (None, Some(x)) => (x.clone(), f.clone()),
            _ => {
                let Some(Frame::Each { each, kept, .. }) = self.frames.pop() else { unreachable!() };
                return Some(Ok(match (done, each) {
                    (Some(b), _) => Value::Bool(b),
                    (None, Each::Filter) => Value::list(kept),
                    (None, Each::Any) => Value::Bool(false),
                    (None, Each::All) => Value::Bool(true),
                }));
            }
        };
        *next += 1;
        self.begin_apply(f, x, None)
    }

    /// The force-each walk on top: checks the elements already known and
    /// starts forcing the next one that is not, or finishes.
    fn force_each_step(&mut self) -> Started {
        let Some(Frame::ForceEach { list, next, check }) = self.frames.last_mut() else { unreachable!() };
        while let Some(item) = list.0.get(*next as usize) {
            *next += 1;
            match item.resolved() {
                Some(v) => {
                    if let Err(e) = check(&self.state, &v) {
                        self.frames.pop();
                        return Some(Err(e));
                    }
                }
                None => {
                    let item = item.clone();
                    return self.begin_force(item);
                }
            }
        }
        self.frames.pop();
        Some(Ok(Value::Null))
    }

    /// The `listToAttrs` walk on top, given what it forced last (nothing
    /// at the start): takes elements and names apart until one needs
    /// forcing, or the list ends.
    fn list_to_attrs_step(&mut self, mut forced: Option<Value>) -> Started {
        use crate::builtins::attrs::pairs;
        let state = &*self.state;
        let Some(Frame::ListToAttrs { list, next, pairs: named, naming }) = self.frames.last_mut() else {
            unreachable!()
        };
        let failed = |frames: &mut Vec<Frame>, e| {
            frames.pop();
            Some(Err(e))
        };
        let to_force = loop {
            if let Some((set, pos)) = naming.take() {
                let name = forced.take().expect("a name was forced");
                match pairs::name(state, name, pos) {
                    Ok(sym) => named.push((sym, set)),
                    Err(e) => return failed(&mut self.frames, e),
                }
            }
            let item = match forced.take() {
                Some(item) => item,
                None => {
                    let Some(item) = list.0.get(*next as usize) else {
                        let r = pairs::finish(state, named);
                        self.frames.pop();
                        return Some(r);
                    };
                    *next += 1;
                    match item.resolved() {
                        Some(v) => v,
                        None => break item.clone(),
                    }
                }
            };
            let (set, name, pos) = match pairs::element(state, &item) {
                Ok(element) => element,
                Err(e) => return failed(&mut self.frames, e),
            };
            match name.resolved() {
                Some(name) => match pairs::name(state, name, pos) {
                    Ok(sym) => named.push((sym, set)),
                    Err(e) => return failed(&mut self.frames, e),
                },
                None => {
                    *naming = Some((set, pos));
                    break name;
                }
            }
        };
        self.begin_force(to_force)
    }

    /// The fold on top has its accumulator: apply `f` to it and the next
    /// element, or finish.
    fn fold_step(&mut self, acc: Value) -> Started {
        let Some(Frame::Fold { f, list, next, .. }) = self.frames.last_mut() else { unreachable!() };
        let Some(x) = list.0.get(*next).cloned() else {
            self.frames.pop();
            return Some(Ok(acc));
        };
        *next += 1;
        if let Value::Lambda(c) = f {
            if c.lambda.call2.is_some() {
                let c = c.clone();
                if !self.too_deep() {
                    self.push_call2(&c, acc, x);
                    return None;
                }
            }
        }
        let Some(Frame::Fold { f, .. }) = self.frames.last() else { unreachable!() };
        let f = f.clone();
        self.begin_call2(f, acc, x)
    }

    /// A builtin's result, evaluated if it is a thunk (calls give values).
    fn forced(&mut self, result: EvalResult<Value>) -> Started {
        match result {
            Ok(v) if v.is_thunk() => self.begin_force(v),
            r => Some(r),
        }
    }

    /// Runs code frames: the one on top, then whichever code frame takes
    /// over (a callee, a thunk's code, the caller receiving a result).
    /// Returns when a builtin frame must be resumed or `entry` is reached.
    fn execute(&mut self, entry: usize) -> Result<Started, EvalError> {
        'frames: loop {
            let Some(Frame::Code { chunk, ip, env, base, .. }) = self.frames.last_mut() else { return Ok(None) };
            // The frame's chunk and environment, borrowed without touching
            // their counts: copies that are never dropped. The frame owns
            // both until it is popped, and nothing here uses them after
            // that (a return or an unwinding leaves this run of the frame
            // at once). The environment is replaced in the frame itself
            // (`set_env!`), so the frame always holds the current one.
            // SAFETY: as just said; `ManuallyDrop` keeps the copies from
            // giving back counts they never took.
            let chunk: ManuallyDrop<Gc<Chunk>> = ManuallyDrop::new(unsafe { std::ptr::read(chunk) });
            let mut env: ManuallyDrop<Gc<Env>> = ManuallyDrop::new(unsafe { std::ptr::read(env) });
            let base = *base;
            let start_at = *ip;
            let depth = self.frames.len();
            // The code as a slice of its own, and the next instruction as a
            // pointer into it: no bounds check and no index arithmetic per
            // instruction. The compiler ends every path through a chunk
            // with a return or a failing instruction and jumps only to
            // instructions of the same chunk, so the pointer stays within
            // `code`.
            let code: &[Op] = &chunk.code;
            let mut ip_ptr: *const Op = code[start_at..].as_ptr();
            // The last attribute selected in this run of the frame (its
            // frame text and position), for "from the definition of" when
            // the next step of the same path fails.
            let mut selected: Option<(u32, Option<Pos>)> = None;
            // The index of the next instruction.
            macro_rules! pc {
                () => {
                    // SAFETY: both point into (or just past) `code`.
                    unsafe { ip_ptr.offset_from(code.as_ptr()) as usize }
                };
            }
            // Continues at instruction `target` of this chunk.
            macro_rules! jump {
                ($target:expr) => {
                    // SAFETY: the compiler's jump targets lie within the chunk.
                    ip_ptr = unsafe { code.as_ptr().add($target as usize) }
                };
            }
            macro_rules! fail {
                ($e:expr) => {{
                    let e: EvalError = $e;
                    return Err(self.unwind_code(e, pc!() - 1));
                }};
            }
            // Before the frames pushed above ours run: where we are.
            macro_rules! save_place {
                () => {
                    if let Frame::Code { ip, .. } = &mut self.frames[depth - 1] {
                        *ip = pc!();
                    }
                };
            }
            // Makes `new` the frame's environment (dropping the one it
            // replaces) and the one this run reads.
            macro_rules! set_env {
                ($new:expr) => {{
                    let new: Gc<Env> = $new;
                    let Frame::Code { env: e, .. } = &mut self.frames[depth - 1] else {
                        unreachable!("this run's frame is a code frame")
                    };
                    *e = new;
                    // SAFETY: as for the copy made on entry.
                    env = ManuallyDrop::new(unsafe { std::ptr::read(e) });
                }};
            }
            // After starting a force or a call: a value for us at once, or frames
            // above ours (then we save our place and run them).
            macro_rules! started {
                ($s:expr) => {{
                    let s: Started = $s;
                    if self.frames.len() != depth {
                        save_place!();
                        match s {
                            None => continue 'frames,
                            Some(r) => return Ok(Some(r)),
                        }
                    }
                    match s {
                        Some(Ok(v)) => self.stack.push(v),
                        Some(Err(e)) => fail!(e),
                        None => unreachable!("nothing pushed and no value"),
                    }
                }};
            }
            'ops: loop {
                debug_assert!(pc!() < code.len(), "ran past the end of a chunk");
                // SAFETY: within `code`, as said above.
                let mut op = unsafe { *ip_ptr };
                ip_ptr = unsafe { ip_ptr.add(1) };
                // Integer arithmetic and comparison in place.
                macro_rules! int_fast_path {
                    () => {
                        if let Some(v) = int_fast_path(op, &self.stack) {
                            // Both operands are integers: forgetting them
                            // skips calls to drops that would do nothing.
                            std::mem::forget(self.stack.pop());
                            let top = self.stack.last_mut().expect("operand");
                            std::mem::forget(std::mem::replace(top, v));
                            continue 'ops;
                        }
                    };
                }
                // An instruction may hand over to another (`op` changed)
                // with `continue 'dispatch`.
                'dispatch: loop {
                    match op {
                        Op::Const(i) => self.stack.push(chunk.constants[i as usize].clone()),
                        Op::Local { level, slot } => self.stack.push(env.up(level as u32).get(slot)),
                        Op::Global(name) => match self.state.global(name) {
                            Some(v) => self.stack.push(v),
                            None => fail!(EvalError::eval(format!("undefined variable '{}'", self.state.name(name)))),
                        },
                        Op::With { level, name } => {
                            match ops::lookup_with_sync(&self.state, env.up(level as u32), name) {
                                ops::WithLookup::Found(v) => self.stack.push(v),
                                ops::WithLookup::Failed(e) => fail!(e),
                                ops::WithLookup::Pending(from) => {
                                    let r = self.spawn(move |co| Box::pin(ops::lookup_with(co, from, name)));
                                    started!(r);
                                }
                            }
                        }
                        Op::Thunk(i) => Value::push_thunk(&mut self.stack, suspended_gc(&chunk, i, &env)),
                        Op::EagerThunk(i) => {
                            let e = &chunk.eager[i as usize];
                            // The arguments a function without an
                            // environment keeps on the stack (none elsewhere).
                            let args = &self.stack[base..base + chunk.stack_args as usize];
                            // Thunks are pushed as their two words (see
                            // `Value::push_thunk`).
                            let thunk = match eager::value(&env, args, e) {
                                Some(v) if eager::needs_no_thunk(e, &self.stack) => {
                                    self.stack.push(v);
                                    continue 'ops;
                                }
                                Some(v) => Thunk::new_gc(ThunkState::Eager(v)),
                                // The thunk gets the environments the
                                // arguments would have had.
                                None if args.is_empty() => suspended_gc(&chunk, e.thunk, &env),
                                None => {
                                    let env = args
                                        .iter()
                                        .fold(Gc::clone(&env), |env, arg| Env::for_call(env, 1, arg.clone()));
                                    suspended_gc(&chunk, e.thunk, &env)
                                }
                            };
                            Value::push_thunk(&mut self.stack, thunk);
                        }
                        Op::Arg(i) => self.stack.push(self.stack[base + i as usize].clone()),
                        Op::Closure(i) => {
                            let lambda = chunk.lambdas[i as usize].clone();
                            self.stack.push(Value::Lambda(Gc::new(Closure { lambda, env: Gc::clone(&env) })));
                        }
                        Op::Force | Op::LocalForce { .. } | Op::ArgForce(_) => {
                            let v = match op {
                                Op::LocalForce { level, slot } => env.up(level as u32).get(slot),
                                Op::ArgForce(i) => self.stack[base + i as usize].clone(),
                                _ => self.stack.pop().expect("operand"),
                            };
                            if let Value::Thunk(t) = &v {
                                if t.push_value(&mut self.stack) {
                                    // A variable whose thunk is evaluated
                                    // holds the value from now on: later
                                    // reads skip the thunk, and the thunk
                                    // is freed when nothing else holds it.
                                    // Not a float: copies of a NaN are not
                                    // equal, while the thunk is identical
                                    // to itself (`[ nan ] == [ nan ]`).
                                    if let Op::LocalForce { level, slot } = op {
                                        let value = self.stack.last().expect("pushed");
                                        if !matches!(value, Value::Float(_)) {
                                            env.up(level as u32).set(slot, value.clone());
                                        }
                                    }
                                    continue 'ops;
                                }
                                let r = match self.begin_force(v) {
                                    // The force that finds a thunk blackholed is
                                    // where the infinite recursion shows.
                                    Some(Err(e)) if e.kind == ErrorKind::InfiniteRecursion && e.pos.is_none() => {
                                        Some(Err(at_opt(e, chunk.pos_at(pc!() - 1))))
                                    }
                                    r => r,
                                };
                                started!(r);
                            } else {
                                self.stack.push(v);
                            }
                        }
                        Op::Call(pos) => {
                            let arg = self.stack.pop().expect("argument");
                            let func = self.stack.pop().expect("function");
                            // The usual call, a function's frame pushed, is
                            // told apart here, with nothing to pass back.
                            if let Value::Lambda(c) = &func {
                                if c.lambda.returns_lambda.is_none() && !self.too_deep() {
                                    self.push_call(&c.lambda, &c.env, arg, Some(pos));
                                    // The closure's count, without the drop
                                    // glue of every variant.
                                    let Value::Lambda(c) = func else { unreachable!("matched") };
                                    drop(c);
                                    save_place!();
                                    continue 'frames;
                                }
                            }
                            let r = self.begin_call(func, arg, Some(pos));
                            started!(r);
                        }
                        Op::CallBuiltin(i) => {
                            let call = &chunk.builtin_calls[i as usize];
                            let (op, pos) = (call.op, Some(call.pos));
                            let start = self.stack.len() - call.argc as usize;
                            // `builtin_now` written out, on the stack's
                            // slice: through its `Option<EvalResult>` this
                            // loop ran up to 1% more instructions (fib).
                            let r = match op.imp {
                                // Evaluated arguments are used where they are.
                                Impl::Strict(f) if self.stack[start..].iter().all(|a| !a.is_thunk()) => {
                                    let args = &self.stack[start..];
                                    let result = f(&self.state, args).map_err(|e| builtin_failed(op, e, args, pos));
                                    self.stack.truncate(start);
                                    self.forced(result)
                                }
                                // So is a native's fast path, tried before
                                // the arguments move into a vector.
                                Impl::Native(_) if op.fast.is_some() => {
                                    let fast = op.fast.expect("checked");
                                    match fast(&self.state, &self.stack[start..]) {
                                        Some(result) => {
                                            self.stack.truncate(start);
                                            self.forced(result.map_err(|e| builtin_failed(op, e, &[], pos)))
                                        }
                                        None => {
                                            let args = self.take_top(call.argc as usize);
                                            self.invoke_native(op, args, pos)
                                        }
                                    }
                                }
                                _ => {
                                    let args = self.take_top(call.argc as usize);
                                    self.invoke_in_frame(op, args, pos)
                                }
                            };
                            started!(r);
                        }
                        Op::Pop => {
                            self.stack.pop();
                        }
                        Op::Pick(i) => {
                            let v = self.stack[self.stack.len() - 1 - i as usize].clone();
                            self.stack.push(v);
                        }
                        Op::Slide(n) => {
                            let top = self.stack.pop().expect("value");
                            let len = self.stack.len();
                            self.stack.truncate(len - n as usize);
                            self.stack.push(top);
                        }
                        Op::SelectThunk(name) => {
                            let from = self.stack.pop().expect("source");
                            let thunk = self.select_thunk(from, name);
                            self.stack.push(thunk);
                        }
                        Op::Return => {
                            let v = self.stack.pop().expect("return value");
                            truncate_stack(&mut self.stack, base);
                            match self.frames.pop() {
                                Some(Frame::Code { owner: Owner::Call(..), .. }) => self.call_depth -= 1,
                                Some(Frame::Code { owner: Owner::Thunk(thunk, _), .. }) => {
                                    thunk.set(ThunkState::Done(v.clone()));
                                }
                                _ => {}
                            }
                            // Hand the value down to the frames waiting for it
                            // without leaving this loop, until code takes over.
                            let mut v = v;
                            loop {
                                if self.frames.len() == entry {
                                    return Ok(Some(Ok(v)));
                                }
                                match self.frames.last() {
                                    Some(Frame::Thunk { .. }) => {
                                        let Some(Frame::Thunk { thunk, .. }) = self.frames.pop() else {
                                            unreachable!()
                                        };
                                        thunk.set(ThunkState::Done(v.clone()));
                                    }
                                    Some(Frame::Code { .. }) => {
                                        self.stack.push(v);
                                        continue 'frames;
                                    }
                                    Some(Frame::Context { .. }) => {
                                        self.frames.pop();
                                    }
                                    // The next step of a fold or of a predicate
                                    // loop, without the general delivery.
                                    Some(Frame::Fold { .. }) => match self.fold_step(v) {
                                        None => continue 'frames,
                                        Some(Ok(next)) => v = next,
                                        Some(Err(e)) => return Ok(Some(Err(e))),
                                    },
                                    Some(Frame::Each { .. }) if matches!(v, Value::Bool(_)) => {
                                        let Value::Bool(answer) = v else { unreachable!("matched") };
                                        match self.each_step(answer) {
                                            None => continue 'frames,
                                            Some(Ok(next)) => v = next,
                                            Some(Err(e)) => return Ok(Some(Err(e))),
                                        }
                                    }
                                    // A builtin, a fold or an application: it may
                                    // start code (on top when nothing came back).
                                    _ => match self.deliver(Ok(v)) {
                                        None => continue 'frames,
                                        Some(Ok(next)) => v = next,
                                        Some(Err(e)) => return Ok(Some(Err(e))),
                                    },
                                }
                            }
                        }
                        Op::Jump(t) => jump!(t),
                        // The condition is looked at where it is, not moved:
                        // (see `push_frame`).
                        Op::JumpIfFalse { target } => match self.stack.last() {
                            Some(&Value::Bool(b)) => {
                                // SAFETY: the top is a Boolean, which owns
                                // nothing: forgetting it is dropping it.
                                unsafe { self.stack.set_len(self.stack.len() - 1) };
                                if !b {
                                    jump!(target)
                                }
                            }
                            _ => {
                                let other = self.stack.pop().expect("condition");
                                fail!(self.expected_bool(&other, &chunk, pc!()))
                            }
                        },
                        Op::JumpIfFalseKeep { target } | Op::JumpIfTrueKeep { target } => {
                            let jump_on = matches!(op, Op::JumpIfTrueKeep { .. });
                            match self.stack.last() {
                                Some(Value::Bool(b)) => {
                                    if *b == jump_on {
                                        jump!(target)
                                    }
                                }
                                Some(other) => {
                                    let other = other.clone();
                                    fail!(self.expected_bool(&other, &chunk, pc!()))
                                }
                                None => unreachable!(),
                            }
                        }
                        Op::AssertBool => {
                            if !matches!(self.stack.last(), Some(Value::Bool(_))) {
                                let other = self.stack.last().cloned().expect("operand");
                                fail!(self.expected_bool(&other, &chunk, pc!()))
                            }
                        }
                        Op::PushEnv(n) => set_env!(Env::new(Some(Gc::clone(&env)), n as usize)),
                        Op::PopEnv => set_env!(env.parent.clone().expect("an environment was pushed")),
                        Op::SetSlot(i) => {
                            let v = self.stack.pop().expect("value");
                            env.set(i, v);
                        }
                        Op::EnterWith => {
                            let ns = self.stack.pop().expect("namespace");
                            set_env!(Env::new_with(Some(Gc::clone(&env)), ns));
                        }
                        Op::List(n) => {
                            let items = self.take_top(n as usize);
                            self.stack.push(Value::list(items));
                        }
                        Op::Attrs(i) => {
                            let shape = &chunk.shapes[i as usize];
                            if shape.dynamic.is_empty() {
                                let start = self.stack.len() - shape.names.len();
                                let values = self.stack.drain(start..);
                                let attrs = shape.names.iter().zip(values).map(|(&(name, pos), value)| Attr {
                                    name,
                                    value,
                                    pos: Some(pos),
                                });
                                let attrs = if shape.in_order {
                                    Attrs::from_sorted_iter(shape.names.len(), attrs)
                                } else {
                                    Attrs::from_unsorted(attrs.collect())
                                };
                                self.stack.push(Value::attrs(attrs));
                                continue 'ops;
                            }
                            let dynamic = shape.dynamic.len();
                            let start = self.stack.len() - shape.names.len() - 2 * dynamic;
                            let mut values = self.take_top(self.stack.len() - start).into_iter();
                            let mut attrs: Vec<Attr> = Vec::with_capacity(shape.names.len() + dynamic);
                            for (name, pos) in &shape.names {
                                attrs.push(Attr { name: *name, value: values.next().expect("value"), pos: Some(*pos) });
                            }
                            for pos in &shape.dynamic {
                                let name = values.next().expect("name");
                                let value = values.next().expect("value");
                                match ops::dynamic_attr_name(&self.state, &name, *pos) {
                                    Ok(None) => {}
                                    Ok(Some(sym)) => {
                                        if let Some(first) = attrs.iter().find(|a| a.name == sym) {
                                            fail!(EvalError::eval(format!(
                                                "dynamic attribute '{}' already defined at {}",
                                                self.state.name(sym),
                                                self.state.show_pos(first.pos)
                                            ))
                                            .at(*pos));
                                        }
                                        attrs.push(Attr { name: sym, value, pos: Some(*pos) });
                                    }
                                    Err(e) => fail!(e.at(*pos)),
                                }
                            }
                            self.stack.push(Value::attrs(Attrs::from_unsorted(attrs)));
                        }
                        Op::Overrides(i) => {
                            let set = self.stack.pop().expect("set");
                            let slots: Vec<_> = chunk.shapes[i as usize].names.iter().map(|(n, _)| *n).collect();
                            let rec_env = Gc::clone(&env);
                            let r = self.spawn(move |co| Box::pin(ops::apply_overrides(co, set, rec_env, slots)));
                            started!(r);
                        }
                        Op::Select { name, definition } => {
                            let v = self.stack.pop().expect("set");
                            let found = match &v {
                                Value::Attrs(s) => s.get_attr(name).map(|a| (a.value.clone(), a.pos)),
                                _ => None,
                            };
                            match found {
                                Some((x, attr_pos)) => {
                                    selected = Some((definition, attr_pos));
                                    let mut pc = pc!();
                                    let r = self.select_force(x, attr_pos, &chunk, definition, &mut pc);
                                    jump!(pc);
                                    started!(r);
                                }
                                None => match ops::select(&self.state, &v, name) {
                                    Ok(x) => self.stack.push(x),
                                    Err(e) => fail!(from_definition(e, selected, definition, &chunk)),
                                },
                            }
                        }
                        Op::SelectOr { name, target } => {
                            let v = self.stack.pop().expect("set");
                            match &v {
                                Value::Attrs(s) => match s.get(name) {
                                    Some(x) => self.stack.push(x.clone()),
                                    None => jump!(target),
                                },
                                _ => jump!(target),
                            }
                        }
                        Op::SelectDynamic { definition } => {
                            let name = self.stack.pop().expect("name");
                            let v = self.stack.pop().expect("set");
                            let sym = match ops::attr_name_of(&self.state, &name) {
                                Ok(s) => s,
                                Err(e) => {
                                    let pos = chunk.pos_at(pc!() - 1);
                                    let e = e.at_opt(pos).with_frame("while evaluating an attribute name", pos);
                                    fail!(from_definition(e, selected, definition, &chunk))
                                }
                            };
                            let found = match &v {
                                Value::Attrs(s) => s.get_attr(sym).map(|a| (a.value.clone(), a.pos)),
                                _ => None,
                            };
                            match found {
                                Some((x, attr_pos)) => {
                                    selected = Some((definition, attr_pos));
                                    let mut pc = pc!();
                                    let r = self.select_force(x, attr_pos, &chunk, definition, &mut pc);
                                    jump!(pc);
                                    started!(r);
                                }
                                None => match ops::select(&self.state, &v, sym) {
                                    Ok(x) => self.stack.push(x),
                                    Err(e) => fail!(from_definition(e, selected, definition, &chunk)),
                                },
                            }
                        }
                        Op::SelectDynamicOr { target } => {
                            let name = self.stack.pop().expect("name");
                            let v = self.stack.pop().expect("set");
                            let sym = match ops::attr_name_of(&self.state, &name) {
                                Ok(s) => s,
                                Err(e) => {
                                    let pos = chunk.pos_at(pc!() - 1);
                                    fail!(e.at_opt(pos).with_frame("while evaluating an attribute name", pos))
                                }
                            };
                            match &v {
                                Value::Attrs(s) if s.get(sym).is_some() => self.stack.push(s.get(sym).unwrap().clone()),
                                _ => jump!(target),
                            }
                        }
                        Op::HasAttr(name) => {
                            let v = self.stack.pop().expect("value");
                            let has = matches!(&v, Value::Attrs(s) if s.get(name).is_some());
                            self.stack.push(Value::Bool(has));
                        }
                        Op::HasAttrDynamic => {
                            let name = self.stack.pop().expect("name");
                            let v = self.stack.pop().expect("value");
                            let sym = match ops::attr_name_of(&self.state, &name) {
                                Ok(s) => s,
                                Err(e) => {
                                    let pos = chunk.pos_at(pc!() - 1);
                                    fail!(e.at_opt(pos).with_frame("while evaluating an attribute name", pos))
                                }
                            };
                            let has = matches!(&v, Value::Attrs(s) if s.get(sym).is_some());
                            self.stack.push(Value::Bool(has));
                        }
                        Op::HasAttrStep { name, target } => {
                            let v = self.stack.pop().expect("value");
                            match &v {
                                Value::Attrs(s) if s.get(name).is_some() => {
                                    self.stack.push(s.get(name).unwrap().clone())
                                }
                                _ => {
                                    self.stack.push(Value::Bool(false));
                                    jump!(target);
                                }
                            }
                        }
                        Op::HasAttrDynamicStep { target } => {
                            let name = self.stack.pop().expect("name");
                            let v = self.stack.pop().expect("value");
                            let sym = match ops::attr_name_of(&self.state, &name) {
                                Ok(s) => s,
                                Err(e) => {
                                    let pos = chunk.pos_at(pc!() - 1);
                                    fail!(e.at_opt(pos).with_frame("while evaluating an attribute name", pos))
                                }
                            };
                            match &v {
                                Value::Attrs(s) if s.get(sym).is_some() => self.stack.push(s.get(sym).unwrap().clone()),
                                _ => {
                                    self.stack.push(Value::Bool(false));
                                    jump!(target);
                                }
                            }
                        }
                        Op::Add | Op::Sub | Op::Mul | Op::Div => {
                            int_fast_path!();
                            let b = self.stack.pop().expect("operand");
                            let a = self.stack.pop().expect("operand");
                            match ops::arithmetic(&self.state, op, a, b, [None, None]) {
                                Ok(v) => self.stack.push(v),
                                Err(e) => fail!(e),
                            }
                        }
                        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                            int_fast_path!();
                            let b = self.stack.pop().expect("operand");
                            let a = self.stack.pop().expect("operand");
                            let (x, y, negate) = match op {
                                Op::Lt => (a, b, false),
                                Op::Gt => (b, a, false),
                                Op::Le => (b, a, true),
                                _ => (a, b, true),
                            };
                            match ops::less_than_sync(&self.state, &x, &y) {
                                Some(Ok(lt)) => self.stack.push(Value::Bool(lt != negate)),
                                Some(Err(e)) => fail!(e),
                                None => {
                                    let r = self.spawn(move |co| {
                                        Box::pin(async move {
                                            let lt = ops::less_than(&co, x, y).await?;
                                            Ok(Value::Bool(lt != negate))
                                        })
                                    });
                                    started!(r);
                                }
                            }
                        }
                        Op::Eq | Op::Neq => {
                            int_fast_path!();
                            let b = self.stack.pop().expect("operand");
                            let a = self.stack.pop().expect("operand");
                            let negate = op == Op::Neq;
                            match ops::equal_sync(&a, &b) {
                                Some(eq) => self.stack.push(Value::Bool(eq != negate)),
                                None => {
                                    let r = self.spawn(move |co| {
                                        Box::pin(async move {
                                            let eq = ops::equal(&co, a, b).await?;
                                            Ok(Value::Bool(eq != negate))
                                        })
                                    });
                                    started!(r);
                                }
                            }
                        }
                        Op::Concat => {
                            let b = self.stack.pop().expect("operand");
                            let a = self.stack.pop().expect("operand");
                            match (a, b) {
                                (Value::List(x), Value::List(y)) => {
                                    let mut items = Vec::with_capacity(x.0.len() + y.0.len());
                                    items.extend(x.0.iter().cloned());
                                    items.extend(y.0.iter().cloned());
                                    self.stack.push(Value::list(items));
                                }
                                (Value::List(_), other) | (other, _) => {
                                    let e = ops::type_error(&self.state, "a list", &other);
                                    let frame = "while evaluating one of the elements to concatenate";
                                    fail!(e.with_frame(frame, chunk.pos_at(pc!() - 1)))
                                }
                            }
                        }
                        Op::Update => {
                            // The right operand was evaluated first, as in CppNix.
                            let a = self.stack.pop().expect("operand");
                            let b = self.stack.pop().expect("operand");
                            match (a, b) {
                                (Value::Attrs(x), Value::Attrs(y)) => {
                                    let v = if y.is_empty() {
                                        Value::Attrs(x)
                                    } else if x.is_empty() {
                                        Value::Attrs(y)
                                    } else {
                                        Value::attrs(x.update(&y))
                                    };
                                    self.stack.push(v);
                                }
                                (Value::Attrs(_), other) | (other, _) => {
                                    fail!(ops::type_error(&self.state, "a set", &other))
                                }
                            }
                        }
                        Op::Not => match self.stack.pop() {
                            Some(Value::Bool(b)) => self.stack.push(Value::Bool(!b)),
                            Some(other) => fail!(ops::type_error(&self.state, "a Boolean", &other)),
                            None => unreachable!(),
                        },
                        Op::Negate => {
                            let a = self.stack.pop().expect("operand");
                            match ops::arithmetic(&self.state, Op::Sub, Value::Int(0), a, [None, None]) {
                                Ok(v) => self.stack.push(v),
                                Err(e) => fail!(e),
                            }
                        }
                        Op::Assert { text } => match self.stack.pop() {
                            Some(Value::Bool(true)) => {}
                            Some(_) => {
                                let text = ops::constant_text(&chunk, text);
                                fail!(EvalError::new(ErrorKind::Assertion, format!("assertion '{text}' failed"))
                                    .at_opt(chunk.pos_at(pc!() - 1)))
                            }
                            None => unreachable!(),
                        },
                        Op::AssertEq { text, assert_pos } => {
                            let b = self.stack.pop().expect("operand");
                            let a = self.stack.pop().expect("operand");
                            // Pushes a null that the next instruction drops.
                            if ops::equal_sync(&a, &b) == Some(true) {
                                self.stack.push(Value::Null);
                            } else {
                                let eq_pos = chunk.pos_at(pc!() - 1);
                                let assert_pos = eq_pos.map(|_| assert_pos);
                                let text = ops::constant_text(&chunk, text);
                                let r =
                                    self.spawn(move |co| Box::pin(assert_equal(co, a, b, text, eq_pos, assert_pos)));
                                started!(r);
                            }
                        }
                        Op::IntRhs { op: rhs_op, rhs } => {
                            let generic = rhs_op.instruction();
                            if let Some(Value::Int(x)) = self.stack.last_mut() {
                                if let Some(v) = int_op(generic, *x, rhs.into()) {
                                    // An integer is replaced: nothing to drop.
                                    std::mem::forget(std::mem::replace(self.stack.last_mut().expect("operand"), v));
                                    continue 'ops;
                                }
                            }
                            self.stack.push(Value::Int(rhs.into()));
                            op = generic;
                            continue 'dispatch;
                        }
                        Op::PlusInt { rhs, positions } => {
                            if let Some(Value::Int(x)) = self.stack.last_mut() {
                                if let Some(sum) = x.checked_add(rhs.into()) {
                                    *x = sum;
                                    continue 'ops;
                                }
                            }
                            self.stack.push(Value::Int(rhs.into()));
                            op = Op::Plus(positions);
                            continue 'dispatch;
                        }
                        Op::Plus(i) => {
                            int_fast_path!();
                            let len = self.stack.len();
                            if matches!(self.stack[len - 2], Value::Int(_) | Value::Float(_) | Value::Path(_)) {
                                let b = self.stack.pop().expect("operand");
                                let a = self.stack.pop().expect("operand");
                                let positions = &chunk.interpolations[i as usize].positions;
                                match ops::arithmetic(&self.state, Op::Add, a, b, [positions[0], positions[1]]) {
                                    Ok(v) => self.stack.push(v),
                                    Err(e) => fail!(e),
                                }
                                continue 'ops;
                            }
                            let r = self.concatenate(&chunk, i);
                            started!(r);
                        }
                        Op::Interpolate(i) => {
                            let r = self.concatenate(&chunk, i);
                            started!(r);
                        }
                        Op::Path(i) => {
                            let Value::String(s) = &chunk.constants[i as usize] else { unreachable!() };
                            self.stack.push(Value::Path(Gc::new(s.as_bytes().to_vec())));
                        }
                        Op::CurPos => {
                            let pos = chunk.pos_at(pc!() - 1);
                            self.stack.push(ops::position_attrs(&self.state, pos));
                        }
                        Op::Formals => {
                            let arg = self.stack.pop().expect("argument");
                            let lambda = match self.frames.last() {
                                Some(Frame::Code { owner: Owner::Call(lambda, _), .. }) => lambda.clone(),
                                _ => unreachable!("formals run in a function body"),
                            };
                            if let Err(e) = ops::bind_formals(&self.state, &lambda, &env, &arg) {
                                fail!(e)
                            }
                            // The argument's slot gets the set itself: a
                            // thunk the caller made for it is then freed
                            // (the body's environment may live long).
                            env.set(0, arg);
                        }
                    }
                    break 'dispatch;
                }
            }
        }
    }

    /// The top `n` values of the stack, taken off it. (Not `split_off`,
    /// which leaves a fresh allocation of the whole stack's capacity behind
    /// when it takes everything.)
    fn take_top(&mut self, n: usize) -> Vec<Value> {
        match self.stack.len() - n {
            0 => self.stack.drain(..).collect(),
            start => self.stack.split_off(start),
        }
    }

    /// The parts on top of the stack concatenated as
    /// `chunk.interpolations[shape]` says: where they are when they are
    /// strings already, else by a routine that coerces them.
    fn concatenate(&mut self, chunk: &Gc<Chunk>, shape: u32) -> Started {
        let interpolation = &chunk.interpolations[shape as usize];
        let start = self.stack.len() - interpolation.positions.len();
        match ops::interpolate_sync(&self.state, &self.stack[start..], interpolation) {
            Some(result) => {
                self.stack.truncate(start);
                Some(result)
            }
            None => {
                let values = self.stack.split_off(start);
                let chunk = chunk.clone();
                self.spawn(move |co| Box::pin(ops::interpolate(co, values, chunk, shape)))
            }
        }
    }

    /// A selected attribute's value, forced when the next instruction
    /// forces it: errors then gain the frame `definition` at the
    /// attribute's position.
    fn select_force(
        &mut self,
        value: Value,
        attr_pos: Option<Pos>,
        chunk: &Gc<Chunk>,
        definition: u32,
        pc: &mut usize,
    ) -> Started {
        let pending = matches!(&value, Value::Thunk(t) if t.value().is_none());
        if !pending || chunk.code.get(*pc) != Some(&Op::Force) {
            return Some(Ok(value));
        }
        *pc += 1;
        push_frame!(self, Frame::Context { chunk: chunk.clone(), step: definition, pos: attr_pos });
        match self.begin_force(value) {
            Some(Err(e)) if e.kind == ErrorKind::InfiniteRecursion && e.pos.is_none() => {
                Some(Err(e.at_opt(attr_pos.or_else(|| chunk.pos_at(*pc - 2)))))
            }
            r => r,
        }
    }

    /// A non-Boolean where one is needed: an error at the instruction.
    fn expected_bool(&self, found: &Value, chunk: &Chunk, pc: usize) -> EvalError {
        type_error(&self.state, "a Boolean", found).at_opt(chunk.pos_at(pc - 1))
    }

    /// A thunk of `from.name` (for `inherit (from) name`): an application
    /// of a small builtin, so no chunk is needed.
    fn select_thunk(&mut self, from: Value, name: crate::symbol::Symbol) -> Value {
        let name_value = Value::string(self.state.name_bytes(name));
        let partial = Value::PrimOp(Gc::new(PrimOpApp { op: &crate::builtins::SELECT_ATTR, args: vec![from] }));
        Thunk::new(ThunkState::Apply { func: partial, arg: name_value })
    }
}

/// `op` on two integers on top of the stack, when that cannot fail (no
/// overflow, no division by zero); `None` sends the instruction the long
/// way, which also handles every other case.
#[inline(always)]
fn int_fast_path(op: Op, stack: &[Value]) -> Option<Value> {
    let (Some(Value::Int(x)), Some(Value::Int(y))) = (stack.len().checked_sub(2).map(|i| &stack[i]), stack.last())
    else {
        return None;
    };
    int_op(op, *x, *y)
}

/// `x op y` for integers, when it cannot fail.
#[inline(always)]
fn int_op(op: Op, x: i64, y: i64) -> Option<Value> {
    Some(match op {
        Op::Add | Op::Plus(_) => Value::Int(x.checked_add(y)?),
        Op::Sub => Value::Int(x.checked_sub(y)?),
        Op::Mul => Value::Int(x.checked_mul(y)?),
        Op::Div if y != 0 => Value::Int(x.checked_div(y)?),
        Op::Lt => Value::Bool(x < y),
        Op::Le => Value::Bool(x <= y),
        Op::Gt => Value::Bool(x > y),
        Op::Ge => Value::Bool(x >= y),
        Op::Eq => Value::Bool(x == y),
        Op::Neq => Value::Bool(x != y),
        _ => return None,
    })
}

fn not_callable(state: &EvalState, v: &Value) -> EvalError {
    let shown = ops::describe_value(state, v);
    EvalError::eval(format!("attempt to call something which is not a function but {shown}"))
}

/// The index of the `Formals` instruction in a function body: the
/// argument is loaded and forced before it (see `Compiler::lambda`).
const FORMALS_PROLOGUE_END: usize = 2;

#[cold]
fn stack_overflow(pos: Option<Pos>) -> EvalError {
    at_opt(EvalError::new(ErrorKind::StackOverflow, "stack overflow; max-call-depth exceeded"), pos)
}

fn at_opt(e: EvalError, pos: Option<Pos>) -> EvalError {
    e.at_opt(pos)
}

/// `assert a == b;` when `a == b` may be false: explains the difference.
async fn assert_equal(
    co: Co,
    a: Value,
    b: Value,
    text: String,
    eq_pos: Option<Pos>,
    assert_pos: Option<Pos>,
) -> EvalResult<Value> {
    if ops::equal(&co, a.clone(), b.clone()).await? {
        return Ok(Value::Null);
    }
    let explained = assert_eq::assert_eq_values(co.clone(), a, b, eq_pos).await;
    if let Err(e) = explained {
        if e.kind == ErrorKind::Assertion {
            let frame = format!("while evaluating the condition of the assertion '{text}'");
            return Err(e.with_frame(frame, assert_pos));
        }
        return Err(e);
    }
    Err(EvalError::new(ErrorKind::Assertion, format!("assertion '{text}' failed")).at_opt(assert_pos))
}

/// A selection step failed: the step before it in the same path (the
/// entry just before `definition`) is named, as CppNix's
/// `ExprSelect` names the last attribute it found.
fn from_definition(e: EvalError, selected: Option<(u32, Option<Pos>)>, definition: u32, chunk: &Chunk) -> EvalError {
    match selected {
        Some((previous, pos)) if previous + 1 == definition && pos.is_some() => {
            e.with_frame(chunk.select_steps[previous as usize].frame_text(), pos)
        }
        _ => e,
    }
}

/// A thunk's evaluation failed with `e`: the thunk remembers the failure,
/// except after a stack overflow, which says nothing about the thunk
/// itself: it gets its `original` state back.
fn thunk_failed(thunk: &Gc<Thunk>, e: EvalError, original: ThunkState) -> EvalError {
    if e.kind == ErrorKind::InfiniteRecursion && e.cycle == Some(thunk_id(thunk)) {
        e.trace.push(TraceFrame { message: "entering the infinite recursion".into(), pos: None, always: true });
    }
    thunk.set(if e.kind == ErrorKind::StackOverflow { original } else { ThunkState::Failed(e.clone()) });
    e
}

fn thunk_id(thunk: &Gc<Thunk>) -> usize {
    Gc::as_ptr(thunk) as *const u8 as usize
}

/// `stack.truncate(len)`, calling the drop glue only for the values that
/// hold a reference (a frame's arguments are often numbers).
#[inline(always)]
fn truncate_stack(stack: &mut Vec<Value>, len: usize) {
    while stack.len() > len {
        let v = stack.pop().expect("above len");
        if v.owns_nothing() {
            std::mem::forget(v);
        } else {
            drop(v);
        }
    }
}

/// A thunk of `chunk.chunks[i]` in `env` (pushed with [`Value::push_thunk`]).
#[inline(always)]
fn suspended_gc(chunk: &Chunk, i: u32, env: &Gc<Env>) -> Gc<Thunk> {
    Thunk::new_gc(ThunkState::Suspended { chunk: chunk.chunks[i as usize].clone(), env: env.clone() })
}

/// `op` applied to `args` when that needs no evaluation: a strict builtin
/// whose arguments are all evaluated, or a native one whose shortcut
/// applies. Its result, errors with the builtin's frame; `None` when the
/// builtin must run in a frame ([`Vm::invoke_in_frame`]).
#[inline(always)]
fn builtin_now(state: &EvalState, op: &'static PrimOp, args: &[Value], pos: Option<Pos>) -> Option<EvalResult<Value>> {
    match op.imp {
        // The arguments are kept to say which one a type error is about.
        Impl::Strict(f) if args.iter().all(|a| !a.is_thunk()) => {
            Some(f(state, args).map_err(|e| builtin_failed(op, e, args, pos)))
        }
        Impl::Strict(_) => None,
        Impl::Native(_) => Some(op.fast?(state, args)?.map_err(|e| builtin_failed(op, e, &[], pos))),
    }
}

/// A builtin's error as it leaves the builtin: the argument it is about
/// (when the arguments are known) and the frame of the call.
fn builtin_failed(op: &PrimOp, e: EvalError, args: &[Value], pos: Option<Pos>) -> EvalError {
    let e = crate::builtins::blame_argument(e, op.name, args);
    if op.add_trace {
        e.with_frame(calling_frame(op), pos)
    } else {
        e
    }
}

/// The frame a builtin's errors get at the call site (unless the builtin
/// says otherwise, see `PrimOp::add_trace`).
fn calling_frame(op: &PrimOp) -> String {
    format!("while calling the '{}' builtin", op.name)
}

pub use ops::{
    compare_values, describe_value, equal, equal_or_identical, less_than, number_builtin, position_attrs,
    select as select_attr, type_error,
};

/// `a < b` for numbers, strings and paths without evaluation; `None`
/// otherwise (or on a type error).
pub fn less_than_values(state: &EvalState, a: &Value, b: &Value) -> Option<bool> {
    match ops::less_than_sync(state, a, b) {
        Some(Ok(lt)) => Some(lt),
        _ => None,
    }
}

/// Evaluates a value and everything inside it. Shared values are visited
/// once, so cyclic structures terminate. An error names the path to the
/// failing value (`while evaluating the attribute 'a'`, `... list element
/// at index 1`), innermost first, as CppNix's `forceValueDeep`.
///
/// Nesting deeper than `max_call_depth` is an error, as CppNix's recursive
/// `forceValueDeep` runs out of call depth there.
///
/// `bias` is the call depth the caller adds (1 for `deepSeq`, a builtin
/// call in CppNix).
pub async fn deep_force(co: &Co, v: Value, bias: usize) -> EvalResult<Value> {
    let top = co.force(v).await?;
    let limit = co.state.settings.max_call_depth;
    let mut seen = rustc_hash::FxHashSet::default();
    // The containers being walked, outermost first, with the index of the
    // child being forced.
    let mut walk: Vec<(Value, usize)> = Vec::new();
    if container_id(&top).is_some_and(|id| seen.insert(id)) {
        walk.push((top.clone(), 0));
    }
    while let Some((container, index)) = walk.last_mut() {
        let child = match container {
            Value::Attrs(set) => set.iter().as_slice().get(*index).map(|a| a.value.clone()),
            Value::List(list) => list.0.get(*index).cloned(),
            _ => None,
        };
        let Some(child) = child else {
            walk.pop();
            continue;
        };
        *index += 1;
        let outer = co.state.extra_call_depth.get();
        let depth = outer + bias + walk.len();
        let forced = if depth > limit {
            Err(EvalError::new(ErrorKind::StackOverflow, "stack overflow; max-call-depth exceeded"))
        } else if let Some(v) = child.resolved() {
            // Already evaluated: what forcing it would give at once.
            Ok(v)
        } else {
            let pos = determine_pos(&child);
            let saved = co.state.extra_call_depth.replace(depth + 1);
            let forced = co.force_at(child, pos).await;
            co.state.extra_call_depth.set(saved);
            forced
        };
        match forced {
            Ok(v) => {
                if container_id(&v).is_some_and(|id| seen.insert(id)) {
                    walk.push((v, 0));
                }
            }
            Err(mut e) => {
                for (container, next) in walk.iter().rev() {
                    match container {
                        Value::Attrs(set) => {
                            let attr = &set.iter().as_slice()[next - 1];
                            let name = String::from_utf8_lossy(&co.state.name_bytes(attr.name)).into_owned();
                            e.push_frame(format!("while evaluating the attribute '{name}'"), attr.pos);
                        }
                        _ => e.push_frame(format!("while evaluating list element at index {}", next - 1), None),
                    }
                }
                return Err(e);
            }
        }
    }
    Ok(top)
}

/// CppNix's `Value::determinePos` for a value about to be forced: an
/// application is located at its function when that is a function value
/// (a function still behind a thunk has no position yet).
fn determine_pos(v: &Value) -> Option<Pos> {
    match v {
        Value::Lambda(c) => Some(c.lambda.pos),
        // SAFETY: only matches and reads positions.
        Value::Thunk(t) => unsafe {
            t.inspect(|s| match s {
                ThunkState::Apply { func, .. } => determine_pos(func),
                _ => None,
            })
        },
        _ => None,
    }
}

fn container_id(v: &Value) -> Option<usize> {
    match v {
        Value::Attrs(set) => Some(set.as_ptr() as usize),
        Value::List(list) => Some(Gc::as_ptr(list) as *const u8 as usize),
        _ => None,
    }
}
