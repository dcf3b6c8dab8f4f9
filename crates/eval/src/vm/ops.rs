//! What the instructions do to values: selection, arithmetic, comparison,
//! equality, string interpolation, `with` lookup and formals. The common
//! cases are synchronous; cases that must evaluate more (equality of lists
//! of thunks, `__toString`) run as native routines through [`Co`].

use crate::chunk::{Chunk, Interpolation, LambdaInfo, Op};
use crate::coerce::{coerce_to_string_in, coerce_to_string_sync, CoerceMode};
use crate::error::{EvalError, EvalResult};
use crate::source::Pos;
use crate::state::EvalState;
use crate::symbol::Symbol;
use crate::value::{Attrs, AttrsBuilder, Env, Gc, List, NixString, StringContext, Thunk, ThunkState, Value};

use super::Co;

/// "an integer: 1", as CppNix describes a value in type errors.
pub fn describe_value(state: &EvalState, v: &Value) -> String {
    format!("{}: {}", v.type_description(), crate::print::print_for_error(state, v))
}

pub fn type_error(state: &EvalState, expected: &str, found: &Value) -> EvalError {
    EvalError::eval(format!("expected {expected} but found {}", describe_value(state, found)))
}

pub(super) fn constant_text(chunk: &Chunk, i: u32) -> String {
    match &chunk.constants[i as usize] {
        Value::String(s) => s.to_str_lossy().into_owned(),
        _ => String::new(),
    }
}

pub fn select(state: &EvalState, v: &Value, name: Symbol) -> EvalResult<Value> {
    match v {
        Value::Attrs(s) => match s.get(name) {
            Some(x) => Ok(x.clone()),
            None => {
                let wanted = state.name(name);
                let names: Vec<String> = s.iter().map(|a| state.name(a.name).to_string()).collect();
                Err(EvalError::eval(format!("attribute '{wanted}' missing"))
                    .suggesting(&wanted, names.iter().map(String::as_str)))
            }
        },
        other => Err(type_error(state, "a set", other)
            .with_frame(format!("while selecting attribute '{}'", state.name(name)), None)),
    }
}

pub(super) fn attr_name_of(state: &EvalState, name: &Value) -> EvalResult<Symbol> {
    match name {
        Value::String(s) => Ok(state.intern_string(s)),
        other => Err(type_error(state, "a string", other)),
    }
}

/// A dynamic attribute's name: `None` for `null` (the attribute is left out).
pub(super) fn dynamic_attr_name(state: &EvalState, name: &Value, pos: Pos) -> EvalResult<Option<Symbol>> {
    match name {
        Value::Null => Ok(None),
        // CppNix's `forceStringNoCtx`: a name may not refer to store paths.
        Value::String(s) if s.context().is_some_and(|c| c.iter().next().is_some()) => {
            crate::builtins::json::string_no_context(state, name, "").map(|s| Some(state.intern_string(&s))).map_err(
                |e| {
                    e.trace.pop();
                    e.with_frame("while evaluating the name of a dynamic attribute", Some(pos))
                },
            )
        }
        other => attr_name_of(state, other).map(Some),
    }
}

fn overflow(verb: &str, a: i64, sign: &str, b: i64) -> EvalError {
    EvalError::eval(format!("integer overflow in {verb} {a} {sign} {b}"))
}

/// `a + b`, `a - b`, `a * b`, `a / b`. For `+` (CppNix's
/// `ExprConcatStrings`), `operands` locates errors about one operand.
pub(super) fn arithmetic(
    state: &EvalState,
    op: Op,
    a: Value,
    b: Value,
    operands: [Option<Pos>; 2],
) -> EvalResult<Value> {
    let v = match (op, &a, &b) {
        (Op::Add, Value::Int(x), Value::Int(y)) => {
            Value::Int(x.checked_add(*y).ok_or_else(|| overflow("adding", *x, "+", *y).at_opt(operands[1]))?)
        }
        (Op::Sub, Value::Int(x), Value::Int(y)) => {
            Value::Int(x.checked_sub(*y).ok_or_else(|| overflow("subtracting", *x, "-", *y))?)
        }
        (Op::Mul, Value::Int(x), Value::Int(y)) => {
            Value::Int(x.checked_mul(*y).ok_or_else(|| overflow("multiplying", *x, "*", *y))?)
        }
        (Op::Div, Value::Int(x), Value::Int(y)) => {
            if *y == 0 {
                return Err(EvalError::eval("division by zero"));
            }
            Value::Int(x.checked_div(*y).ok_or_else(|| overflow("dividing", *x, "/", *y))?)
        }
        (_, Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let x = as_float(&a);
            let y = as_float(&b);
            Value::Float(match op {
                Op::Add => x + y,
                Op::Sub => x - y,
                Op::Mul => x * y,
                _ => {
                    if y == 0.0 {
                        return Err(EvalError::eval("division by zero"));
                    }
                    x / y
                }
            })
        }
        (Op::Add, Value::Int(_) | Value::Float(_), other) => {
            let e = EvalError::eval(format!("cannot add {} to {}", other.type_description(), a.type_description()));
            return Err(e.at_opt(operands[1]));
        }
        (Op::Add, Value::Path(p), _) => return path_concat(state, p.clone(), b, operands[1]),
        (Op::Add, _, _) => unreachable!("`+` of strings is `Op::Plus`'s, builtins.add takes numbers"),
        _ => {
            let sign = match op {
                Op::Sub => '-',
                Op::Mul => '*',
                _ => '/',
            };
            return number_builtin(state, sign, &a, &b);
        }
    };
    Ok(v)
}

/// The `add`, `sub`, `mul` and `div` builtins (which `-`, `*` and `/`
/// call; `sign` says which), checking their operands in CppNix's order
/// with its frames.
pub fn number_builtin(state: &EvalState, sign: char, a: &Value, b: &Value) -> EvalResult<Value> {
    let (first, second, first_float, verb) = match sign {
        '+' => (
            "while evaluating the first argument of the addition",
            "while evaluating the second argument of the addition",
            "while evaluating the first argument of the addition",
            "adding",
        ),
        '-' => (
            "while evaluating the first argument of the subtraction",
            "while evaluating the second argument of the subtraction",
            "while evaluating the first argument of the subtraction",
            "subtracting",
        ),
        '*' => (
            "while evaluating the first argument of the multiplication",
            "while evaluating the second argument of the multiplication",
            // Sic: CppNix's float path words it so.
            "while evaluating the first of the multiplication",
            "multiplying",
        ),
        _ => (
            "while evaluating the first operand of the division",
            "while evaluating the second operand of the division",
            "while evaluating the first operand of the division",
            "dividing",
        ),
    };
    let float = |v: &Value, frame: &str| match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        other => Err(type_error(state, "a float", other).with_frame(frame, None)),
    };
    let int = |v: &Value, frame: &str| match v {
        Value::Int(i) => Ok(*i),
        other => Err(type_error(state, "an integer", other).with_frame(frame, None)),
    };
    let any_float = matches!(a, Value::Float(_)) || matches!(b, Value::Float(_));
    if sign == '/' {
        let y = float(b, second)?;
        if y == 0.0 {
            return Err(EvalError::eval("division by zero"));
        }
        if any_float {
            return Ok(Value::Float(float(a, first_float)? / y));
        }
    } else if any_float {
        let x = float(a, first_float)?;
        let y = float(b, second)?;
        return Ok(Value::Float(match sign {
            '+' => x + y,
            '-' => x - y,
            _ => x * y,
        }));
    }
    let x = int(a, first)?;
    let y = int(b, second)?;
    let r = match sign {
        '+' => x.checked_add(y),
        '-' => x.checked_sub(y),
        '*' => x.checked_mul(y),
        _ => x.checked_div(y),
    };
    r.map(Value::Int).ok_or_else(|| overflow(verb, x, &sign.to_string(), y))
}

fn as_float(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => unreachable!("a number"),
    }
}

fn path_concat(state: &EvalState, base: Gc<Vec<u8>>, suffix: Value, pos: Option<Pos>) -> EvalResult<Value> {
    match &suffix {
        Value::String(s) => {
            if s.has_context() {
                return Err(EvalError::eval("a string that refers to a store path cannot be appended to a path"));
            }
            let mut p = base.to_vec();
            p.extend_from_slice(s.as_bytes());
            Ok(Value::Path(Gc::new(crate::compiler::canon_path(&p))))
        }
        Value::Path(q) => {
            let mut p = base.to_vec();
            p.extend_from_slice(q);
            Ok(Value::Path(Gc::new(crate::compiler::canon_path(&p))))
        }
        other => Err(EvalError::eval(format!(
            "cannot coerce {} to a string: {}",
            other.type_description(),
            crate::print::print_for_error(state, other)
        ))
        .with_frame("while evaluating a path segment", pos)),
    }
}

/// `a < b` when no evaluation is needed; `None` for lists.
pub(super) fn less_than_sync(state: &EvalState, a: &Value, b: &Value) -> Option<EvalResult<bool>> {
    Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x < y),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => Ok(as_float(a) < as_float(b)),
        (Value::String(x), Value::String(y)) => Ok(x.as_bytes() < y.as_bytes()),
        (Value::Path(x), Value::Path(y)) => Ok(x[..] < y[..]),
        (Value::List(_), Value::List(_)) => return None,
        _ => Err(cannot_compare(state, a, b)),
    })
}

/// CppNix's `CompareValues` errors.
fn cannot_compare(state: &EvalState, a: &Value, b: &Value) -> EvalError {
    let (ta, tb) = (a.type_description(), b.type_description());
    let (va, vb) = (crate::print::print_for_error(state, a), crate::print::print_for_error(state, b));
    if a.type_name() == b.type_name() {
        EvalError::eval(format!(
            "cannot compare {ta} with {tb}; values of that type are incomparable (values are {va} and {vb})"
        ))
    } else {
        EvalError::eval(format!("cannot compare {ta} with {tb}; values are {va} and {vb}"))
    }
}

/// `a < b`, forcing list elements as needed (lexicographic order).
pub async fn less_than(co: &Co, a: Value, b: Value) -> EvalResult<bool> {
    let a = co.force(a).await?;
    let b = co.force(b).await?;
    compare_values(co, a, b, "").await
}

/// CppNix's `CompareValues` on two forced values: an error gains one
/// "while comparing two list elements" frame per list level entered, then
/// `frame` (when not empty).
pub async fn compare_values(co: &Co, mut a: Value, mut b: Value, frame: &str) -> EvalResult<bool> {
    let mut depth = 0;
    let result = async {
        loop {
            if let Some(r) = less_than_sync(&co.state, &a, &b) {
                return r;
            }
            let (Value::List(x), Value::List(y)) = (&a, &b) else { unreachable!() };
            let (x, y) = (x.clone(), y.clone());
            let mut i = 0;
            loop {
                if i == y.0.len() {
                    return Ok(false);
                }
                if i == x.0.len() {
                    return Ok(true);
                }
                let xi = co.force(x.0[i].clone()).await?;
                let yi = co.force(y.0[i].clone()).await?;
                if !equal(co, xi.clone(), yi.clone()).await? {
                    a = xi;
                    b = yi;
                    depth += 1;
                    break;
                }
                i += 1;
            }
        }
    }
    .await;
    result.map_err(|mut e| {
        for _ in 0..depth {
            e.push_frame("while comparing two list elements", None);
        }
        if !frame.is_empty() {
            e.push_frame(frame, None);
        }
        e
    })
}

/// Equality when it can be decided without evaluating anything; `None`
/// when lists or sets must be looked into.
pub(super) fn equal_sync(a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => as_float(a) == as_float(b),
        (Value::String(x), Value::String(y)) => x.as_bytes() == y.as_bytes(),
        (Value::Path(x), Value::Path(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            if x.0.len() != y.0.len() {
                return Some(false);
            }
            // The same list is not equal to itself before its elements
            // are forced: CppNix forces each (an element may throw).
            if x.0.is_empty() {
                return Some(true);
            }
            return None;
        }
        (Value::Attrs(_), Value::Attrs(_)) => return None,
        // Functions are never equal (except as the same element, below).
        _ => false,
    })
}

/// Nix's `==`, forcing what it must. Elements that are the very same value
/// (same thunk, same function) are equal once forced, as in CppNix's
/// `eqValues` (which compares `Value` pointers after forcing both).
pub async fn equal(co: &Co, a: Value, b: Value) -> EvalResult<bool> {
    equal_maybe_identical(co, a, b, false).await
}

/// `builtins.elem`'s comparison: CppNix passes the argument and the element
/// by pointer, so the very same value is equal to itself (a function, NaN).
pub async fn equal_or_identical(co: &Co, a: Value, b: Value) -> EvalResult<bool> {
    let identical = a.ptr_eq(&b);
    equal_maybe_identical(co, a, b, identical).await
}

/// What is left to compare: two values, or the elements of two lists of
/// the same length, or the values of two sets with the same names, from
/// an index on (so that comparing long lists and large sets takes no
/// memory per element). Only containers with an element left are kept.
enum EqWork {
    Values(Value, Value, bool),
    Lists(Gc<List>, Gc<List>, usize),
    Attrs(Attrs, Attrs, usize),
}

/// The values of two sets, to compare pair by pair once their names
/// are known to be the same; `None` when they differ. (Names are compared
/// first, as CppNix does, and comparing them evaluates nothing.)
fn same_names(x: &Attrs, y: &Attrs) -> Option<Option<EqWork>> {
    if x.len() != y.len() || x.iter().zip(y.iter()).any(|(p, q)| p.name != q.name) {
        return None;
    }
    Some((!x.is_empty()).then(|| EqWork::Attrs(x.clone(), y.clone(), 0)))
}

async fn equal_maybe_identical(co: &Co, a: Value, b: Value, identical: bool) -> EvalResult<bool> {
    let mut work = vec![EqWork::Values(a, b, identical)];
    loop {
        // Pairs whose parts are all evaluated are compared here; the loop
        // below takes only the first pair that needs evaluating.
        if let Some(eq) = equal_known(&co.state, &mut work) {
            return Ok(eq);
        }
        let Some(next) = work.pop() else { return Ok(true) };
        let (a, b, identical) = next_pair(next, &mut work);
        let a = co.force(a).await?;
        let b = co.force(b).await?;
        if identical {
            continue;
        }
        if let Some(eq) = equal_sync(&a, &b) {
            if !eq {
                return Ok(false);
            }
            continue;
        }
        match (&a, &b) {
            // `equal_sync` found the lengths equal (and not zero).
            (Value::List(x), Value::List(y)) => work.push(EqWork::Lists(x.clone(), y.clone(), 0)),
            (Value::Attrs(x), Value::Attrs(y)) => {
                // Two derivations are equal when their output paths are.
                let st = &co.state;
                if is_derivation(co, x).await? && is_derivation(co, y).await? {
                    if let (Some(p), Some(q)) = (x.get(st.sym.out_path), y.get(st.sym.out_path)) {
                        work.push(EqWork::Values(p.clone(), q.clone(), p.ptr_eq(q)));
                        continue;
                    }
                }
                match same_names(x, y) {
                    None => return Ok(false),
                    Some(values) => work.extend(values),
                }
            }
            _ => unreachable!("equal_sync decides everything else"),
        }
    }
}

/// Works through `work` as [`equal_maybe_identical`] does, as long as the
/// values are known: the result when decided, or `None` with the pair that
/// needs evaluating next on top of `work` (nothing evaluated was skipped,
/// so the order of forcing stays the same). Elements of lists and sets are
/// compared where they are, not copied onto `work` first.
fn equal_known(state: &EvalState, work: &mut Vec<EqWork>) -> Option<bool> {
    loop {
        let Some(top) = work.last_mut() else { return Some(true) };
        // The next pair, both sides evaluated; it leaves `work` (a
        // container's index moves past it) only once both are known.
        let (a, b, identical) = match top {
            EqWork::Values(a, b, identical) => {
                let pair = (a.resolved()?, b.resolved()?, *identical);
                work.pop();
                pair
            }
            EqWork::Lists(x, y, i) => {
                let (p, q) = (&x.0[*i], &y.0[*i]);
                let pair = (p.resolved()?, q.resolved()?, p.ptr_eq(q));
                *i += 1;
                if *i == x.0.len() {
                    work.pop();
                }
                pair
            }
            EqWork::Attrs(x, y, i) => {
                let (p, q) = (&x.at(*i).value, &y.at(*i).value);
                let pair = (p.resolved()?, q.resolved()?, p.ptr_eq(q));
                *i += 1;
                if *i == x.len() {
                    work.pop();
                }
                pair
            }
        };
        if identical {
            continue;
        }
        if let Some(eq) = equal_sync(&a, &b) {
            if !eq {
                return Some(false);
            }
            continue;
        }
        match (&a, &b) {
            (Value::List(x), Value::List(y)) => work.push(EqWork::Lists(x.clone(), y.clone(), 0)),
            (Value::Attrs(x), Value::Attrs(y)) => {
                // `is_derivation` of both, when their `type`s are known.
                let is_drv = |set: &Attrs| -> Option<bool> {
                    match set.get(state.sym.type_) {
                        Some(t) => match t.resolved()? {
                            Value::String(s) => Some(s.as_bytes() == b"derivation"),
                            _ => Some(false),
                        },
                        None => Some(false),
                    }
                };
                let known = is_drv(x).and_then(|x_drv| if x_drv { is_drv(y).map(|y_drv| !y_drv) } else { Some(true) });
                if known != Some(true) {
                    // Derivations (rare), or a `type` still to evaluate:
                    // left to the general path, the pair on top.
                    work.push(EqWork::Values(a, b, false));
                    return None;
                }
                match same_names(x, y) {
                    None => return Some(false),
                    Some(values) => work.extend(values),
                }
            }
            _ => unreachable!("equal_sync decides everything else"),
        }
    }
}

/// The pair of values `next` stands for; the rest of a container's
/// elements stay in `work`.
fn next_pair(next: EqWork, work: &mut Vec<EqWork>) -> (Value, Value, bool) {
    match next {
        EqWork::Values(a, b, identical) => (a, b, identical),
        EqWork::Lists(x, y, i) => {
            let (p, q) = (x.0[i].clone(), y.0[i].clone());
            if i + 1 < x.0.len() {
                work.push(EqWork::Lists(x, y, i + 1));
            }
            let identical = p.ptr_eq(&q);
            (p, q, identical)
        }
        EqWork::Attrs(x, y, i) => {
            let (p, q) = (x.at(i).value.clone(), y.at(i).value.clone());
            if i + 1 < x.len() {
                work.push(EqWork::Attrs(x, y, i + 1));
            }
            let identical = p.ptr_eq(&q);
            (p, q, identical)
        }
    }
}

pub(super) async fn is_derivation(co: &Co, set: &Attrs) -> EvalResult<bool> {
    match set.get(co.state.sym.type_) {
        Some(t) => match co.force(t.clone()).await? {
            Value::String(s) => Ok(s.as_bytes() == b"derivation"),
            _ => Ok(false),
        },
        None => Ok(false),
    }
}

/// String (or path) interpolation when every part is already a string.
pub(super) fn interpolate_sync(state: &EvalState, parts: &[Value], shape: &Interpolation) -> Option<EvalResult<Value>> {
    if !shape.force_string {
        if let Some(Value::Path(base)) = parts.first() {
            if parts[1..].iter().all(|p| matches!(p, Value::String(_))) {
                let mut p = base.to_vec();
                for part in &parts[1..] {
                    let Value::String(s) = part else { unreachable!() };
                    if s.has_context() {
                        return Some(Err(EvalError::eval(
                            "a string that refers to a store path cannot be appended to a path",
                        )));
                    }
                    p.extend_from_slice(s.as_bytes());
                }
                return Some(Ok(Value::Path(Gc::new(crate::compiler::canon_path(&p)))));
            }
            return None;
        }
    }
    // Strings only (the usual case): written straight into the result,
    // one allocation of its size.
    if parts.iter().all(|p| matches!(p, Value::String(_))) {
        let strings = parts.iter().map(|p| match p {
            Value::String(s) => s,
            _ => unreachable!("all strings"),
        });
        return Some(Ok(Value::String(NixString::concat(strings))));
    }
    let mut bytes = Vec::new();
    let mut context = StringContext::new();
    for (part, pos) in parts.iter().zip(shape.positions.iter()) {
        match coerce_to_string_sync(state, part, CoerceMode::Interpolation)? {
            Ok(s) => {
                bytes.extend_from_slice(s.as_bytes());
                if let Some(c) = s.context() {
                    context.extend(c.iter().cloned());
                }
            }
            Err(e) if matches!(part, Value::String(_) | Value::Path(_)) => return Some(Err(e)),
            Err(e) => return Some(Err(e.with_frame(PATH_SEGMENT, *pos))),
        }
    }
    Some(Ok(Value::string(NixString::new(bytes, Some(context)))))
}

const PATH_SEGMENT: &str = "while evaluating a path segment";

pub(super) async fn interpolate(co: Co, parts: Vec<Value>, chunk: Gc<Chunk>, shape: u32) -> EvalResult<Value> {
    let shape = &chunk.interpolations[shape as usize];
    let mut iter = parts.into_iter().zip(shape.positions.iter());
    let (first, first_pos) = iter.next().map(|(v, p)| (v, *p)).unwrap_or((Value::string(""), None));
    if !shape.force_string {
        if let Value::Path(_) = &first {
            let mut rest = vec![first.clone()];
            for (part, pos) in iter {
                let ctx = (PATH_SEGMENT, *pos);
                let s = coerce_to_string_in(&co, part, CoerceMode::PathSegment, ctx.0, ctx.1).await?;
                rest.push(Value::string(s));
            }
            return interpolate_sync(&co.state, &rest, shape).expect("all parts are strings");
        }
    }
    let mut bytes = Vec::new();
    let mut context = StringContext::new();
    for (part, pos) in std::iter::once((first, first_pos)).chain(iter.map(|(v, p)| (v, *p))) {
        let ctx = (PATH_SEGMENT, pos);
        let s = coerce_to_string_in(&co, part, CoerceMode::Interpolation, ctx.0, ctx.1).await?;
        bytes.extend_from_slice(s.as_bytes());
        if let Some(c) = s.context() {
            context.extend(c.iter().cloned());
        }
    }
    Ok(Value::string(NixString::new(bytes, Some(context))))
}

/// What looking a name up in the `with` namespaces gave without evaluating
/// anything.
pub(super) enum WithLookup {
    Found(Value),
    Failed(EvalError),
    /// The namespace of this environment must be evaluated first: continue
    /// with [`lookup_with`] from there.
    Pending(Gc<Env>),
}

/// [`lookup_with`] as far as it goes while the namespaces are evaluated.
pub(super) fn lookup_with_sync(state: &EvalState, start: &Gc<Env>, name: Symbol) -> WithLookup {
    let mut env = start;
    loop {
        if env.is_with() {
            let ns = match env.get(0) {
                Value::Thunk(t) => match t.value() {
                    Some(v) => {
                        env.set(0, v.clone());
                        v
                    }
                    None => return WithLookup::Pending(env.clone()),
                },
                v => v,
            };
            match &ns {
                Value::Attrs(s) => {
                    if let Some(v) = s.get(name) {
                        return WithLookup::Found(v.clone());
                    }
                }
                other => return WithLookup::Failed(type_error(state, "a set", other)),
            }
        }
        match &env.parent {
            Some(p) => env = p,
            None => return WithLookup::Failed(EvalError::eval(format!("undefined variable '{}'", state.name(name)))),
        }
    }
}

/// Looks `name` up in the `with` namespaces from `env` out, evaluating
/// each namespace that must be (once: the environment keeps it evaluated).
pub(super) async fn lookup_with(co: Co, mut env: Gc<Env>, name: Symbol) -> EvalResult<Value> {
    loop {
        match lookup_with_sync(&co.state, &env, name) {
            WithLookup::Found(v) => return Ok(v),
            WithLookup::Failed(e) => return Err(e),
            WithLookup::Pending(from) => {
                let ns = co.force(from.get(0)).await?;
                from.set(0, ns);
                env = from;
            }
        }
    }
}

/// Binds a function's formals from its (forced) argument.
pub(super) fn bind_formals(state: &EvalState, lambda: &LambdaInfo, env: &Gc<Env>, arg: &Value) -> EvalResult<()> {
    let formals = lambda.formals.as_ref().expect("a function with formals");
    let Value::Attrs(set) = arg else {
        return Err(type_error(state, "a set", arg)
            .with_frame("while evaluating the value passed for the lambda argument", Some(lambda.pos)));
    };
    // For errors only.
    let fname = || match lambda.name {
        Some(n) => format!("'{}'", state.name(n)),
        None => "'anonymous lambda'".to_string(),
    };
    let mut used = 0;
    for f in &formals.entries {
        match set.get(f.name) {
            Some(v) => {
                used += 1;
                env.set(f.slot, v.clone());
            }
            None => match (&f.default, &f.value) {
                // Formals are bound in slot order: an earlier one is shared.
                (Some(_), _) if f.default_slot.is_some_and(|s| s < f.slot) => {
                    env.set(f.slot, env.get(f.default_slot.unwrap_or_default()))
                }
                (Some(_), Some(value)) => env.set(f.slot, value.clone()),
                (Some(chunk), None) => {
                    let env_of_default = f.closed_env.as_ref().unwrap_or(env).clone();
                    env.set(f.slot, Thunk::new(ThunkState::Suspended { chunk: chunk.clone(), env: env_of_default }))
                }
                (None, _) => {
                    return Err(EvalError::eval(format!(
                        "function {} called without required argument '{}'",
                        fname(),
                        state.name(f.name)
                    ))
                    .at(lambda.pos))
                }
            },
        }
    }
    if !formals.ellipsis && used < set.len() {
        for attr in set.iter() {
            if !formals.entries.iter().any(|f| f.name == attr.name) {
                let wanted = state.name(attr.name);
                let names: Vec<String> = formals.entries.iter().map(|f| state.name(f.name).to_string()).collect();
                return Err(EvalError::eval(format!(
                    "function {} called with unexpected argument '{wanted}'",
                    fname()
                ))
                .at(lambda.pos)
                .suggesting(&wanted, names.iter().map(String::as_str)));
            }
        }
    }
    Ok(())
}

/// `{ column, file, line }` of a position, or `null`.
pub fn position_attrs(state: &EvalState, pos: Option<Pos>) -> Value {
    let Some(pos) = pos else { return Value::Null };
    let (line, column) = state.sources.line_col(pos);
    let file = state.sources.origin_label(state.sources.resolve(pos).0);
    let mut b = AttrsBuilder::with_capacity(3);
    b.insert(state.intern("column"), Value::Int(column as i64), None);
    b.insert(state.intern("file"), Value::string(file), None);
    b.insert(state.intern("line"), Value::Int(line as i64), None);
    Value::attrs(b.build())
}

/// `rec { __overrides = ...; }`: the overriding attributes replace the set's
/// and the `rec` environment's values (so other attributes see them), and
/// new ones are added.
pub(super) async fn apply_overrides(co: Co, set: Value, env: Gc<Env>, slots: Vec<Symbol>) -> EvalResult<Value> {
    let Value::Attrs(set) = set else { unreachable!("a rec literal builds a set") };
    let Some(overrides) = set.get(co.state.sym.overrides).cloned() else { return Ok(Value::Attrs(set)) };
    let overrides = co.force(overrides).await?;
    let Value::Attrs(overrides) = overrides else {
        let e = type_error(&co.state, "a set", &overrides);
        return Err(e.with_frame("while evaluating the `__overrides` attribute", None));
    };
    for attr in overrides.iter() {
        if let Some(slot) = slots.iter().position(|n| *n == attr.name) {
            env.set(slot as u32, attr.value.clone());
        }
    }
    Ok(Value::attrs(set.update(&overrides)))
}
