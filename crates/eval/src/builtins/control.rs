//! Control and type builtins: errors, forcing, `tryEval`, tracing, type
//! predicates, arithmetic as functions, constants.

use super::args::{self, err};
use super::{forcing_args_first, native, strict, with_fast, PrimOp};
use crate::coerce::{coerce_to_string, coerce_to_string_in, CoerceMode};
use crate::error::{ErrorKind, EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::{Attr, Attrs, AttrsBuilder, Value};
use crate::vm::{deep_force, Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    native("abort", 1, abort),
    native("throw", 1, throw),
    strict("seq", 2, |_, a| Ok(a[1].clone())),
    native("deepSeq", 2, deep_seq),
    native("tryEval", 1, try_eval),
    native("trace", 2, trace),
    native("warn", 2, warn),
    // A trace only with `--trace-verbose`.
    native("traceVerbose", 2, |co, a| {
        if co.state.settings.trace_verbose {
            trace(co, a)
        } else {
            Box::pin(async move { co.force(a[1].clone()).await })
        }
    }),
    strict("typeOf", 1, |_, a| Ok(Value::string(a[0].type_name()))),
    strict("isNull", 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Null)))),
    strict("isInt", 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Int(_))))),
    strict("isFloat", 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Float(_))))),
    strict("isBool", 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Bool(_))))),
    strict("isString", 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::String(_))))),
    strict("isPath", 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Path(_))))),
    strict("isAttrs", 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Attrs(_))))),
    strict("isList", 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::List(_))))),
    strict("isFunction", 1, |_, a| Ok(Value::Bool(matches!(a[0], Value::Lambda(_) | Value::PrimOp(_))))),
    // `coerce_to_string_in` forces the argument first, without a frame.
    forcing_args_first(with_fast(native("toString", 1, to_string), to_string_fast)),
    strict("add", 2, |s, a| arith(s, '+', &a[0], &a[1])),
    strict("sub", 2, |s, a| arith(s, '-', &a[0], &a[1])),
    strict("mul", 2, |s, a| arith(s, '*', &a[0], &a[1])),
    strict("div", 2, |s, a| arith(s, '/', &a[0], &a[1])),
    native("lessThan", 2, |co, a| {
        Box::pin(async move {
            let [x, y]: [Value; 2] = a.try_into().unwrap_or_else(|_| unreachable!("lessThan takes two arguments"));
            Ok(Value::Bool(crate::vm::less_than(&co, x, y).await?))
        })
    }),
    strict("bitAnd", 2, |s, a| Ok(Value::Int(args::int(s, &a[0])? & args::int(s, &a[1])?))),
    strict("bitOr", 2, |s, a| Ok(Value::Int(args::int(s, &a[0])? | args::int(s, &a[1])?))),
    strict("bitXor", 2, |s, a| Ok(Value::Int(args::int(s, &a[0])? ^ args::int(s, &a[1])?))),
    strict("ceil", 1, |s, a| round(s, &a[0], f64::ceil)),
    strict("floor", 1, |s, a| round(s, &a[0], f64::floor)),
    strict("getEnv", 1, |s, a| {
        let name = args::string(s, &a[0])?;
        let value = s.io.get_env(&name.to_str_lossy()).unwrap_or_default();
        Ok(Value::string(value))
    }),
    strict("functionArgs", 1, function_args),
];

pub(super) fn constants(state: &EvalState) -> Vec<(&'static str, Value)> {
    let mut out = vec![
        ("nixVersion", Value::string("2.24.0")),
        ("langVersion", Value::Int(6)),
        ("storeDir", Value::string("/nix/store")),
    ];
    let system = state.io.get_env("NEVE_SYSTEM").unwrap_or_else(|| b"x86_64-linux".to_vec());
    out.push(("currentSystem", Value::string(system)));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    out.push(("currentTime", Value::Int(now as i64)));
    let mut entries = Vec::new();
    for (prefix, path) in &state.settings.nix_path {
        let mut b = AttrsBuilder::with_capacity(2);
        b.insert(state.intern("path"), Value::string(path.as_str()), None);
        b.insert(state.intern("prefix"), Value::string(prefix.as_str()), None);
        entries.push(Value::attrs(b.build()));
    }
    out.push(("nixPath", Value::list(entries)));
    out
}

fn arith(state: &EvalState, sign: char, a: &Value, b: &Value) -> EvalResult<Value> {
    crate::vm::number_builtin(state, sign, a, b)
}

fn round(state: &EvalState, v: &Value, f: fn(f64) -> f64) -> EvalResult<Value> {
    match v {
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Float(x) => {
            let r = f(*x);
            if (-9.223372036854776e18..9.223372036854776e18).contains(&r) {
                Ok(Value::Int(r as i64))
            } else {
                Err(err(format!("Float value {x} is out of range for an integer")))
            }
        }
        other => Err(crate::vm::type_error(state, "a float", other)),
    }
}

fn abort(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let msg = coerce_to_string(&co, a[0].clone(), CoerceMode::ToString).await?;
        Err(EvalError::new(
            ErrorKind::Abort,
            format!("evaluation aborted with the following error message: '{}'", msg.to_str_lossy()),
        ))
    })
}

fn throw(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let msg = coerce_to_string(&co, a[0].clone(), CoerceMode::ToString).await?;
        Err(EvalError::new(ErrorKind::Throw, msg.to_str_lossy().into_owned()))
    })
}

fn deep_seq(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        deep_force(&co, a[0].clone(), 1).await?;
        co.force(a[1].clone()).await
    })
}

fn try_eval(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let (success, value) = match co.force(a[0].clone()).await {
            Ok(v) => (true, v),
            Err(e) if e.is_catchable() => (false, Value::Bool(false)),
            Err(e) => return Err(e),
        };
        let mut b = AttrsBuilder::with_capacity(2);
        b.insert(co.state.sym.success, Value::Bool(success), None);
        b.insert(co.state.sym.value, value, None);
        Ok(Value::attrs(b.build()))
    })
}

fn trace(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let msg = co.force(a[0].clone()).await?;
        let text = match &msg {
            Value::String(s) => s.to_str_lossy().into_owned(),
            other => crate::print::print_value_with(&co.state, other),
        };
        co.state.io.warn(&format!("trace: {text}\n"));
        co.force(a[1].clone()).await
    })
}

fn warn(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let msg = co.force(a[0].clone()).await?;
        let s = args::string(&co.state, &msg)?;
        co.state.io.warn(&crate::report::render_eval_warning(&s.to_str_lossy()));
        let from_env = co.state.io.get_env("NIX_ABORT_ON_WARN").is_some_and(|v| !v.is_empty() && v != b"0");
        if co.state.settings.abort_on_warn || from_env {
            return Err(crate::error::EvalError::eval(
                "aborting to reveal stack trace of warning, as abort-on-warn is set",
            ));
        }
        co.force(a[1].clone()).await
    })
}

fn to_string(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let frame = "while evaluating the first argument passed to builtins.toString";
        let s = coerce_to_string_in(&co, a[0].clone(), CoerceMode::ToString, frame, None).await?;
        Ok(Value::string(s))
    })
}

/// `toString` of a value already evaluated that is not a list or a set
/// (which go the long way, as in `coerce_to_string_in`).
fn to_string_fast(state: &EvalState, a: &[Value]) -> Option<EvalResult<Value>> {
    let v = a[0].resolved()?;
    match &v {
        // The same string, not a copy.
        Value::String(_) => Some(Ok(v)),
        Value::List(_) | Value::Attrs(_) => None,
        _ => {
            let r = crate::coerce::coerce_to_string_sync(state, &v, CoerceMode::ToString)?;
            Some(match &v {
                Value::Path(_) => r.map(Value::string),
                _ => r
                    .map(Value::string)
                    .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.toString", None)),
            })
        }
    }
}

fn function_args(_: &EvalState, a: &[Value]) -> EvalResult<Value> {
    match a[0].clone() {
        Value::Lambda(c) => match &c.lambda.formals {
            Some(f) => {
                let args = f.function_args.get_or_init(|| {
                    // The entries are sorted by symbol already.
                    let attrs = f.entries.iter().map(|e| Attr {
                        name: e.name,
                        value: Value::Bool(e.default.is_some()),
                        pos: Some(e.pos),
                    });
                    Attrs::from_sorted_iter(f.entries.len(), attrs)
                });
                Ok(Value::Attrs(args.clone()))
            }
            None => Ok(Value::attrs(Default::default())),
        },
        Value::PrimOp(_) => Ok(Value::attrs(Default::default())),
        _ => Err(err("'functionArgs' requires a function")),
    }
}
