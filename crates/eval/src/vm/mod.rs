//! The virtual machine: runs chunks with an explicit frame stack.
//!
//! Three kinds of frames sit on the stack: running code; a thunk waiting
//! for the value that will replace it; and a suspended builtin waiting for
//! an answer (see [`co`]). When a frame finishes, its value (or error) is
//! delivered to the frame below it. Nothing here recurses on the Rust stack
//! per Nix call or per force, so recursion depth is bounded only by
//! `max_call_depth`.

pub mod co;
mod ops;

use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::builtins::{Impl, PrimOp};
use crate::chunk::{Chunk, Op};
use crate::error::{ErrorKind, EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::{Attr, Attrs, Closure, Env, Gc, List, PrimOpApp, Thunk, ThunkState, Value};

pub use co::{Co, NativeFuture, Request};

enum Frame {
    Code {
        chunk: Gc<Chunk>,
        ip: usize,
        env: Gc<Env>,
        /// Where this frame's values start on the value stack.
        base: usize,
        /// Set for function bodies, which count towards the call depth.
        call: Option<Gc<Closure>>,
    },
    /// The value delivered here becomes the thunk's value, or the error its
    /// remembered failure.
    Thunk {
        thunk: Gc<Thunk>,
        original: ThunkState,
    },
    Native {
        future: NativeFuture,
        co: Co,
    },
}

pub struct Vm {
    pub state: Rc<EvalState>,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    call_depth: usize,
}

/// What starting a force or a call gave: a value at once, or frames pushed
/// whose result will be delivered to the frame now on top.
type Started = Option<EvalResult<Value>>;

impl Vm {
    pub fn new(state: Rc<EvalState>) -> Vm {
        Vm { state, stack: Vec::with_capacity(1024), frames: Vec::with_capacity(256), call_depth: 0 }
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
        let started = self.begin_call(func, arg);
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
        self.frames.push(Frame::Code { chunk, ip: 0, env, base: self.stack.len(), call: None });
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
            Frame::Code { base, chunk, ip, .. } => match result {
                Ok(v) => {
                    self.stack.push(v);
                    None
                }
                Err(e) => {
                    // An error without a place gets the place of the call or
                    // force that was waiting for it.
                    let e = match chunk.pos_at(ip.saturating_sub(1)) {
                        Some(pos) => e.at(pos),
                        None => e,
                    };
                    let base = *base;
                    self.stack.truncate(base);
                    self.pop_code_frame();
                    Some(Err(e))
                }
            },
            Frame::Thunk { .. } => {
                let Some(Frame::Thunk { thunk, original }) = self.frames.pop() else { unreachable!() };
                *thunk.0.borrow_mut() = match &result {
                    Ok(v) => ThunkState::Done(v.clone()),
                    // A stack overflow says nothing about the thunk itself.
                    Err(e) if e.kind == ErrorKind::StackOverflow => original,
                    Err(e) => ThunkState::Failed(Box::new(e.clone())),
                };
                Some(result)
            }
            Frame::Native { co, .. } => {
                co.answer(result);
                self.poll_native()
            }
        }
    }

    fn pop_code_frame(&mut self) {
        if let Some(Frame::Code { call: Some(_), .. }) = self.frames.pop() {
            self.call_depth -= 1;
        }
    }

    fn poll_native(&mut self) -> Started {
        let Some(Frame::Native { future, co }) = self.frames.last_mut() else { unreachable!() };
        let mut cx = Context::from_waker(Waker::noop());
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(result) => {
                self.frames.pop();
                Some(result)
            }
            Poll::Pending => {
                let request = co.take_request().expect("a suspended builtin leaves a request");
                match request {
                    Request::Force(v) => self.begin_force(v),
                    Request::Call(f, arg) => self.begin_call(f, arg),
                }
            }
        }
    }

    /// Starts running a future as a frame.
    fn spawn(&mut self, f: impl FnOnce(Co) -> NativeFuture) -> Started {
        let co = Co::new(self.state.clone());
        let future = f(co.clone());
        self.frames.push(Frame::Native { future, co });
        self.poll_native()
    }

    pub(crate) fn begin_force(&mut self, value: Value) -> Started {
        let Value::Thunk(thunk) = value else { return Some(Ok(value)) };
        let state = std::mem::replace(&mut *thunk.0.borrow_mut(), ThunkState::Blackhole);
        match state {
            ThunkState::Done(v) => {
                *thunk.0.borrow_mut() = ThunkState::Done(v.clone());
                Some(Ok(v))
            }
            ThunkState::Blackhole => {
                Some(Err(EvalError::new(ErrorKind::InfiniteRecursion, "infinite recursion encountered")))
            }
            ThunkState::Failed(e) => {
                let error = (*e).clone();
                *thunk.0.borrow_mut() = ThunkState::Failed(e);
                Some(Err(error))
            }
            ThunkState::Suspended { chunk, env } => {
                let original = ThunkState::Suspended { chunk: chunk.clone(), env: env.clone() };
                self.frames.push(Frame::Thunk { thunk, original });
                self.frames.push(Frame::Code { chunk, ip: 0, env, base: self.stack.len(), call: None });
                None
            }
            ThunkState::Apply { func, arg } => {
                let original = ThunkState::Apply { func: func.clone(), arg: arg.clone() };
                self.frames.push(Frame::Thunk { thunk, original });
                if func.is_thunk() {
                    self.spawn(|co| Box::pin(async move { co.call(func, arg).await }))
                } else {
                    self.begin_call(func, arg)
                }
            }
        }
    }

    pub(crate) fn begin_call(&mut self, func: Value, arg: Value) -> Started {
        match func {
            Value::Lambda(closure) => {
                if self.call_depth >= self.state.settings.max_call_depth {
                    return Some(Err(EvalError::new(
                        ErrorKind::StackOverflow,
                        "stack overflow; max-call-depth exceeded",
                    )
                    .at(closure.lambda.pos)));
                }
                self.call_depth += 1;
                let env = Env::new(Some(closure.env.clone()), closure.lambda.env_size as usize);
                env.set(0, arg);
                let chunk = closure.lambda.body.clone();
                self.frames.push(Frame::Code { chunk, ip: 0, env, base: self.stack.len(), call: Some(closure) });
                None
            }
            Value::PrimOp(app) => {
                let mut args = Vec::with_capacity(app.args.len() + 1);
                args.extend(app.args.iter().cloned());
                args.push(arg);
                if args.len() < app.op.arity as usize {
                    return Some(Ok(Value::PrimOp(Gc::new(PrimOpApp { op: app.op, args }))));
                }
                self.invoke(app.op, args)
            }
            Value::Attrs(set) => {
                let functor = self.state.sym.functor;
                match set.get(functor).cloned() {
                    Some(f) => self.spawn(move |co| {
                        Box::pin(async move {
                            let g = co.call(f, Value::Attrs(set)).await?;
                            co.call(g, arg).await
                        })
                    }),
                    None => Some(Err(not_callable(&Value::Attrs(set)))),
                }
            }
            other => Some(Err(not_callable(&other))),
        }
    }

    fn invoke(&mut self, op: &'static PrimOp, args: Vec<Value>) -> Started {
        match op.imp {
            Impl::Strict(f) => {
                if args.iter().all(|a| !a.is_thunk()) {
                    let result = f(&self.state, args).map_err(|e| e.with_frame(calling_frame(op), None));
                    return self.forced(result);
                }
                self.spawn(move |co| {
                    Box::pin(async move {
                        let mut forced = Vec::with_capacity(args.len());
                        for a in args {
                            forced.push(co.force(a).await?);
                        }
                        let v = f(&co.state, forced).map_err(|e| e.with_frame(calling_frame(op), None))?;
                        co.force(v).await
                    })
                })
            }
            Impl::Native(f) => self.spawn(move |co| {
                Box::pin(async move {
                    let v = f(co.clone(), args).await.map_err(|e| e.with_frame(calling_frame(op), None))?;
                    co.force(v).await
                })
            }),
        }
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
            let chunk = chunk.clone();
            let mut env = env.clone();
            let base = *base;
            let mut pc = *ip;
            let depth = self.frames.len();
            macro_rules! fail {
                ($e:expr) => {{
                    let e: EvalError = $e;
                    let e = match chunk.pos_at(pc - 1) {
                        Some(pos) => e.at(pos),
                        None => e,
                    };
                    self.stack.truncate(base);
                    self.pop_code_frame();
                    return Err(e);
                }};
            }
            // After starting a force or a call: a value for us at once, or frames
            // above ours (then we save our place and run them).
            macro_rules! started {
                ($s:expr) => {{
                    let s: Started = $s;
                    if self.frames.len() != depth {
                        if let Frame::Code { ip, env: e, .. } = &mut self.frames[depth - 1] {
                            *ip = pc;
                            *e = env.clone();
                        }
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
            loop {
                let op = chunk.code[pc];
                pc += 1;
                match op {
                    Op::Const(i) => self.stack.push(chunk.constants[i as usize].clone()),
                    Op::Local { level, slot } => self.stack.push(env.up(level as u32).get(slot)),
                    Op::Global(name) => match self.state.global(name) {
                        Some(v) => self.stack.push(v),
                        None => fail!(EvalError::eval(format!("undefined variable '{}'", self.state.name(name)))),
                    },
                    Op::With { level, name } => {
                        let start = env.up(level as u32).clone();
                        let r = self.spawn(move |co| Box::pin(ops::lookup_with(co, start, name)));
                        started!(r);
                    }
                    Op::Thunk(i) => {
                        let sub = chunk.chunks[i as usize].clone();
                        self.stack.push(Thunk::new(ThunkState::Suspended { chunk: sub, env: env.clone() }));
                    }
                    Op::Closure(i) => {
                        let lambda = chunk.lambdas[i as usize].clone();
                        self.stack.push(Value::Lambda(Gc::new(Closure { lambda, env: env.clone() })));
                    }
                    Op::Force => {
                        let v = self.stack.pop().expect("operand");
                        if let Value::Thunk(t) = &v {
                            if let Some(done) = t.value() {
                                self.stack.push(done);
                                continue;
                            }
                            let r = self.begin_force(v);
                            started!(r);
                        } else {
                            self.stack.push(v);
                        }
                    }
                    Op::Call => {
                        let arg = self.stack.pop().expect("argument");
                        let func = self.stack.pop().expect("function");
                        let r = self.begin_call(func, arg);
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
                        self.stack.truncate(base);
                        self.pop_code_frame();
                        // Hand the value down through waiting thunks to the code
                        // that asked for it, without leaving this loop.
                        loop {
                            if self.frames.len() == entry {
                                return Ok(Some(Ok(v)));
                            }
                            match self.frames.last() {
                                Some(Frame::Thunk { .. }) => {
                                    let Some(Frame::Thunk { thunk, .. }) = self.frames.pop() else { unreachable!() };
                                    *thunk.0.borrow_mut() = ThunkState::Done(v.clone());
                                }
                                Some(Frame::Code { .. }) => {
                                    self.stack.push(v);
                                    continue 'frames;
                                }
                                _ => return Ok(Some(Ok(v))),
                            }
                        }
                    }
                    Op::Jump(t) => pc = t as usize,
                    Op::JumpIfFalse { target, what } => match self.stack.pop() {
                        Some(Value::Bool(b)) => {
                            if !b {
                                pc = target as usize
                            }
                        }
                        Some(other) => fail!(ops::expected_bool(&self.state, &other, &chunk, what)),
                        None => unreachable!(),
                    },
                    Op::JumpIfFalseKeep { target, what } | Op::JumpIfTrueKeep { target, what } => {
                        let jump_on = matches!(op, Op::JumpIfTrueKeep { .. });
                        match self.stack.last() {
                            Some(Value::Bool(b)) => {
                                if *b == jump_on {
                                    pc = target as usize
                                }
                            }
                            Some(other) => {
                                let other = other.clone();
                                fail!(ops::expected_bool(&self.state, &other, &chunk, what))
                            }
                            None => unreachable!(),
                        }
                    }
                    Op::AssertBool { what } => {
                        if !matches!(self.stack.last(), Some(Value::Bool(_))) {
                            let other = self.stack.last().cloned().expect("operand");
                            fail!(ops::expected_bool(&self.state, &other, &chunk, what))
                        }
                    }
                    Op::PushEnv(n) => env = Env::new(Some(env.clone()), n as usize),
                    Op::PopEnv => env = env.parent.clone().expect("an environment was pushed"),
                    Op::SetSlot(i) => {
                        let v = self.stack.pop().expect("value");
                        env.set(i, v);
                    }
                    Op::EnterWith => {
                        let ns = self.stack.pop().expect("namespace");
                        env = Env::new_with(Some(env.clone()), ns);
                    }
                    Op::List(n) => {
                        let items = self.stack.split_off(self.stack.len() - n as usize);
                        self.stack.push(Value::List(Gc::new(List(items))));
                    }
                    Op::Attrs(i) => {
                        let shape = &chunk.shapes[i as usize];
                        let dynamic = shape.dynamic.len();
                        let start = self.stack.len() - shape.names.len() - 2 * dynamic;
                        let mut values = self.stack.split_off(start).into_iter();
                        let mut attrs: Vec<Attr> = Vec::with_capacity(shape.names.len() + dynamic);
                        for (name, pos) in &shape.names {
                            attrs.push(Attr { name: *name, value: values.next().expect("value"), pos: Some(*pos) });
                        }
                        for pos in &shape.dynamic {
                            let name = values.next().expect("name");
                            let value = values.next().expect("value");
                            match ops::dynamic_attr_name(&self.state, &name) {
                                Ok(None) => {}
                                Ok(Some(sym)) => {
                                    if attrs.iter().any(|a| a.name == sym) {
                                        fail!(EvalError::eval(format!(
                                            "dynamic attribute '{}' already defined at {}",
                                            self.state.name(sym),
                                            self.state.show_pos(Some(*pos))
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
                        let rec_env = env.clone();
                        let r = self.spawn(move |co| Box::pin(ops::apply_overrides(co, set, rec_env, slots)));
                        started!(r);
                    }
                    Op::Select(name) => {
                        let v = self.stack.pop().expect("set");
                        match ops::select(&self.state, &v, name) {
                            Ok(x) => self.stack.push(x),
                            Err(e) => fail!(e),
                        }
                    }
                    Op::SelectOr { name, target } => {
                        let v = self.stack.pop().expect("set");
                        match &v {
                            Value::Attrs(s) => match s.get(name) {
                                Some(x) => self.stack.push(x.clone()),
                                None => pc = target as usize,
                            },
                            _ => pc = target as usize,
                        }
                    }
                    Op::SelectDynamic | Op::SelectDynamicOr { .. } => {
                        let name = self.stack.pop().expect("name");
                        let v = self.stack.pop().expect("set");
                        let sym = match ops::attr_name_of(&self.state, &name) {
                            Ok(s) => s,
                            Err(e) => fail!(e),
                        };
                        match op {
                            Op::SelectDynamicOr { target } => match &v {
                                Value::Attrs(s) if s.get(sym).is_some() => self.stack.push(s.get(sym).unwrap().clone()),
                                _ => pc = target as usize,
                            },
                            _ => match ops::select(&self.state, &v, sym) {
                                Ok(x) => self.stack.push(x),
                                Err(e) => fail!(e),
                            },
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
                            Err(e) => fail!(e),
                        };
                        let has = matches!(&v, Value::Attrs(s) if s.get(sym).is_some());
                        self.stack.push(Value::Bool(has));
                    }
                    Op::HasAttrStep { name, target } => {
                        let v = self.stack.pop().expect("value");
                        match &v {
                            Value::Attrs(s) if s.get(name).is_some() => self.stack.push(s.get(name).unwrap().clone()),
                            _ => {
                                self.stack.push(Value::Bool(false));
                                pc = target as usize;
                            }
                        }
                    }
                    Op::HasAttrDynamicStep { target } => {
                        let name = self.stack.pop().expect("name");
                        let v = self.stack.pop().expect("value");
                        let sym = match ops::attr_name_of(&self.state, &name) {
                            Ok(s) => s,
                            Err(e) => fail!(e),
                        };
                        match &v {
                            Value::Attrs(s) if s.get(sym).is_some() => self.stack.push(s.get(sym).unwrap().clone()),
                            _ => {
                                self.stack.push(Value::Bool(false));
                                pc = target as usize;
                            }
                        }
                    }
                    Op::Add | Op::Sub | Op::Mul | Op::Div => {
                        let b = self.stack.pop().expect("operand");
                        let a = self.stack.pop().expect("operand");
                        match ops::arithmetic(&self.state, op, a, b) {
                            Ok(ops::Outcome::Value(v)) => self.stack.push(v),
                            Ok(ops::Outcome::Native(f)) => {
                                let r = self.spawn(f);
                                started!(r);
                            }
                            Err(e) => fail!(e),
                        }
                    }
                    Op::Lt | Op::Le | Op::Gt | Op::Ge => {
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
                                fail!(ops::type_error(&self.state, "a list", &other))
                            }
                        }
                    }
                    Op::Update => {
                        let b = self.stack.pop().expect("operand");
                        let a = self.stack.pop().expect("operand");
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
                        match ops::arithmetic(&self.state, Op::Sub, Value::Int(0), a) {
                            Ok(ops::Outcome::Value(v)) => self.stack.push(v),
                            Ok(ops::Outcome::Native(_)) => unreachable!("numbers need no evaluation"),
                            Err(e) => fail!(e),
                        }
                    }
                    Op::Assert { text } => match self.stack.pop() {
                        Some(Value::Bool(true)) => {}
                        Some(Value::Bool(false)) => {
                            let text = ops::constant_text(&chunk, text);
                            fail!(EvalError::new(ErrorKind::Assertion, format!("assertion '{text}' failed")))
                        }
                        Some(other) => fail!(ops::type_error(&self.state, "a Boolean", &other)),
                        None => unreachable!(),
                    },
                    Op::Interpolate { parts, force_string } => {
                        let values = self.stack.split_off(self.stack.len() - parts as usize);
                        match ops::interpolate_sync(&self.state, &values, force_string) {
                            Some(Ok(v)) => self.stack.push(v),
                            Some(Err(e)) => fail!(e),
                            None => {
                                let r = self.spawn(move |co| Box::pin(ops::interpolate(co, values, force_string)));
                                started!(r);
                            }
                        }
                    }
                    Op::Path(i) => {
                        let Value::String(s) = &chunk.constants[i as usize] else { unreachable!() };
                        self.stack.push(Value::Path(Gc::new(s.as_bytes().to_vec())));
                    }
                    Op::CurPos => {
                        let pos = chunk.pos_at(pc - 1);
                        self.stack.push(ops::position_attrs(&self.state, pos));
                    }
                    Op::Formals => {
                        let arg = self.stack.pop().expect("argument");
                        let lambda = match self.frames.last() {
                            Some(Frame::Code { call: Some(c), .. }) => c.lambda.clone(),
                            _ => unreachable!("formals run in a function body"),
                        };
                        if let Err(e) = ops::bind_formals(&self.state, &lambda, &env, arg) {
                            fail!(e)
                        }
                    }
                }
            }
        }
    }

    /// A thunk of `from.name` (for `inherit (from) name`): an application
    /// of a small builtin, so no chunk is needed.
    fn select_thunk(&mut self, from: Value, name: crate::symbol::Symbol) -> Value {
        let name_value = Value::string(self.state.name_bytes(name));
        let partial = Value::PrimOp(Gc::new(PrimOpApp { op: &crate::builtins::SELECT_ATTR, args: vec![from] }));
        Thunk::new(ThunkState::Apply { func: partial, arg: name_value })
    }
}

fn not_callable(v: &Value) -> EvalError {
    EvalError::eval(format!("attempt to call something which is not a function but {}", ops::describe_value(v)))
}

fn calling_frame(op: &PrimOp) -> String {
    format!("while calling the '{}' builtin", op.name)
}

pub use ops::{describe_value, equal, less_than, position_attrs, select as select_attr, type_error};

/// `a < b` for numbers, strings and paths without evaluation; `None`
/// otherwise (or on a type error).
pub fn less_than_values(state: &EvalState, a: &Value, b: &Value) -> Option<bool> {
    match ops::less_than_sync(state, a, b) {
        Some(Ok(lt)) => Some(lt),
        _ => None,
    }
}

/// Arithmetic on two numbers (for the `add`/`sub`/`mul`/`div` builtins).
pub fn arithmetic_values(state: &EvalState, op: Op, a: Value, b: Value) -> EvalResult<Value> {
    if !matches!(b, Value::Int(_) | Value::Float(_)) {
        return Err(type_error(state, "an integer", &b));
    }
    match ops::arithmetic(state, op, a, b)? {
        ops::Outcome::Value(v) => Ok(v),
        ops::Outcome::Native(_) => unreachable!("numbers need no evaluation"),
    }
}

/// Evaluates a value and everything inside it. Shared values are visited
/// once, so cyclic structures terminate.
///
/// Nesting deeper than `max_call_depth` is an error, as CppNix's recursive
/// `forceValueDeep` runs out of call depth there.
pub async fn deep_force(co: &Co, v: Value) -> EvalResult<Value> {
    let top = co.force(v).await?;
    let limit = co.state.settings.max_call_depth;
    let mut seen = std::collections::HashSet::new();
    let mut work = vec![(top.clone(), 0usize)];
    while let Some((v, depth)) = work.pop() {
        if depth > limit {
            return Err(EvalError::new(ErrorKind::StackOverflow, "stack overflow; max-call-depth exceeded"));
        }
        let v = co.force(v).await?;
        match &v {
            Value::Attrs(set) if seen.insert(Gc::as_ptr(set) as *const u8 as usize) => {
                for attr in set.iter().rev() {
                    work.push((attr.value.clone(), depth + 1));
                }
            }
            Value::List(list) if seen.insert(Gc::as_ptr(list) as *const u8 as usize) => {
                for item in list.0.iter().rev() {
                    work.push((item.clone(), depth + 1));
                }
            }
            _ => {}
        }
    }
    Ok(top)
}
