//! Values of [`EagerThunk`]s: numeric operations computed when the thunk
//! would be made, when that is sure to succeed.
//!
//! A call such as `f (n - 1)` would make a thunk for `n - 1`, and forcing
//! it would run a chunk in a frame of its own. When `n` is already a number
//! the result is known now and nothing can tell the difference: the
//! operation cannot fail (overflow and division by zero fall back to the
//! thunk, whose evaluation reports them as usual), and the value still sits
//! in a thunk of its own (`ThunkState::Eager`), so that printing an
//! unforced value still shows `«thunk»` and identity (`elem nan [ nan ]`)
//! is kept; what is saved is running the thunk's code in frames of its own. The comparisons follow CppNix's desugaring: `a <= b` is
//! `!(b < a)`, which differs from `a <= b` for NaN.

use crate::chunk::{EagerOp, EagerThunk, Operand};
use crate::value::{Env, Gc, ThunkState, Value};

/// The value of `e` in `env` (and, in a function without an environment
/// of its own, its arguments `args`), or `None` when a thunk must be made.
/// Inlined: its value would otherwise come back through memory in pieces
/// and be read whole, which waits (see `push_frame` in `vm/mod.rs`).
#[inline(always)]
pub(super) fn value(env: &Gc<Env>, args: &[Value], e: &EagerThunk) -> Option<Value> {
    let a = operand(env, args, e.lhs)?;
    let b = operand(env, args, e.rhs)?;
    match e.op {
        EagerOp::Add => arith(a, b, i64::checked_add, |x, y| x + y),
        EagerOp::Sub => arith(a, b, i64::checked_sub, |x, y| x - y),
        EagerOp::Mul => arith(a, b, i64::checked_mul, |x, y| x * y),
        EagerOp::Div => {
            let zero = match b {
                Num::Int(y) => y == 0,
                Num::Float(y) => y == 0.0,
            };
            if zero {
                None
            } else {
                arith(a, b, i64::checked_div, |x, y| x / y)
            }
        }
        EagerOp::Lt => Some(Value::Bool(less(a, b))),
        EagerOp::Gt => Some(Value::Bool(less(b, a))),
        EagerOp::Le => Some(Value::Bool(!less(b, a))),
        EagerOp::Ge => Some(Value::Bool(!less(a, b))),
        EagerOp::Eq => Some(Value::Bool(equal(a, b))),
        EagerOp::Neq => Some(Value::Bool(!equal(a, b))),
    }
}

/// Whether an [`EagerThunk`] computed to a value pushes the value itself:
/// when it is the argument of a call of a function that only forces its
/// argument (the function is on top of `stack`). Otherwise the value goes
/// in a thunk of its own.
#[inline(always)]
pub(super) fn needs_no_thunk(e: &EagerThunk, stack: &[Value]) -> bool {
    e.call_arg && matches!(stack.last(), Some(Value::Lambda(c)) if c.lambda.forces_arg_only)
}

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

fn operand(env: &Gc<Env>, args: &[Value], o: Operand) -> Option<Num> {
    match o {
        Operand::Int(i) => Some(Num::Int(i)),
        Operand::Float(f) => Some(Num::Float(f)),
        // SAFETY: `number` only matches and copies.
        Operand::Local { level, slot } => unsafe { env.up(level as u32).with_slot(slot, number) },
        Operand::Arg(i) => number(&args[i as usize]),
    }
}

/// The number `v` is or evaluated to already.
fn number(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Float(f) => Some(Num::Float(*f)),
        // Reading an operand must not count as forcing it.
        // SAFETY: only matches and copies numbers.
        Value::Thunk(t) => unsafe {
            t.inspect(|s| match s {
                ThunkState::Done(Value::Int(i)) | ThunkState::Eager(Value::Int(i)) => Some(Num::Int(*i)),
                ThunkState::Done(Value::Float(f)) | ThunkState::Eager(Value::Float(f)) => Some(Num::Float(*f)),
                _ => None,
            })
        },
        _ => None,
    }
}

fn arith(a: Num, b: Num, int: fn(i64, i64) -> Option<i64>, float: fn(f64, f64) -> f64) -> Option<Value> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => int(x, y).map(Value::Int),
        _ => Some(Value::Float(float(a.float(), b.float()))),
    }
}

fn less(a: Num, b: Num) -> bool {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x < y,
        _ => a.float() < b.float(),
    }
}

fn equal(a: Num, b: Num) -> bool {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x == y,
        _ => a.float() == b.float(),
    }
}
