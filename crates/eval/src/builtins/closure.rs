//! `genericClosure`, and the builtins that shape error traces and
//! debugging: `addErrorContext`, `break`.

use std::collections::VecDeque;

use super::args::{self, err};
use super::{native, without_trace, PrimOp};
use crate::coerce::{coerce_to_string_in, CoerceMode};
use crate::error::{EvalResult, TraceFrame};
use crate::print::print_for_error;
use crate::value::Value;
use crate::vm::{less_than, Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    native("genericClosure", 1, generic_closure),
    without_trace(native("addErrorContext", 2, add_error_context)),
    // Without a debugger, `break` returns its argument.
    native("break", 1, |co, a| Box::pin(async move { co.force(a[0].clone()).await })),
];

fn generic_closure(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let state = co.state.clone();
        let arg = co.force(a[0].clone()).await?;
        let set = args::attrs(&state, &arg)
            .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.genericClosure", None))?
            .clone();
        let in_set = "in the attrset passed as argument to builtins.genericClosure";
        let start = set
            .get(state.intern("startSet"))
            .cloned()
            .ok_or_else(|| err("attribute 'startSet' missing").with_frame(in_set, None))?;
        let start = co.force(start).await?;
        let start = args::list(&state, &start)
            .map_err(|e| {
                e.with_frame(
                    "while evaluating the 'startSet' attribute passed as argument to builtins.genericClosure",
                    None,
                )
            })?
            .clone();
        if start.0.is_empty() {
            return Ok(Value::List(start));
        }
        let op = set
            .get(state.intern("operator"))
            .cloned()
            .ok_or_else(|| err("attribute 'operator' missing").with_frame(in_set, None))?;
        let op = co.force(op).await?;
        args::function(&state, &op).map_err(|e| {
            e.with_frame(
                "while evaluating the 'operator' attribute passed as argument to builtins.genericClosure",
                None,
            )
        })?;

        let key_sym = state.intern("key");
        let mut work: VecDeque<Value> = start.0.iter().cloned().collect();
        let mut result = Vec::new();
        // Keys seen so far, in Nix's order, with the element each came from.
        let mut keys: Vec<(Value, Value)> = Vec::new();
        while let Some(e) = work.pop_front() {
            let in_element = |e: &Value| format!("in genericClosure element {}", print_for_error(&co.state, e));
            let elem = co.force(e.clone()).await.map_err(|err| err.with_frame(in_element(&e), None))?;
            let elem_set = args::attrs(&state, &elem).map_err(|err| err.with_frame(in_element(&elem), None))?;
            let key = elem_set
                .get(key_sym)
                .cloned()
                .ok_or_else(|| err("attribute 'key' missing").with_frame(in_element(&elem), None))?;
            let key = co.force(key).await?;
            match find_key(&co, &keys, &key).await {
                Ok(Ok(_)) => continue,
                Ok(Err(at)) => keys.insert(at, (key, elem.clone())),
                Err(error) => {
                    // Name the element whose key could not be compared.
                    let mut other = None;
                    for (k, el) in &keys {
                        if less_than(&co, key.clone(), k.clone()).await.is_err() {
                            other = Some(el.clone());
                            break;
                        }
                    }
                    let error = match other {
                        Some(o) => error
                            .with_frame(format!("with element {}", print_for_error(&co.state, &o)), None)
                            .with_frame(format!("while comparing element {}", print_for_error(&co.state, &elem)), None),
                        None => error.with_frame(
                            format!("while checking key of element {}", print_for_error(&co.state, &elem)),
                            None,
                        ),
                    };
                    return Err(error);
                }
            }
            result.push(elem.clone());
            let calling =
                || format!("while calling operator on genericClosure element {}", print_for_error(&co.state, &elem));
            let new = co.call(op.clone(), elem.clone()).await.map_err(|e| e.with_frame(calling(), None))?;
            let new = args::list(&state, &new)
                .map_err(|e| {
                    e.with_frame(
                        "while evaluating the return value of the `operator` passed to builtins.genericClosure",
                        None,
                    )
                    .with_frame(calling(), None)
                })?
                .clone();
            for item in &new.0 {
                let item = co.force(item.clone()).await.map_err(|e| e.with_frame(calling(), None))?;
                work.push_back(item);
            }
        }
        Ok(Value::list(result))
    })
}

/// Where `key` is among the sorted `keys`: `Ok(index)` when an equivalent
/// key is there, `Err(index)` where it would go.
async fn find_key(co: &Co, keys: &[(Value, Value)], key: &Value) -> EvalResult<Result<usize, usize>> {
    let (mut lo, mut hi) = (0, keys.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let k = &keys[mid].0;
        if less_than(co, key.clone(), k.clone()).await? {
            hi = mid;
        } else if less_than(co, k.clone(), key.clone()).await? {
            lo = mid + 1;
        } else {
            return Ok(Ok(mid));
        }
    }
    Ok(Err(lo))
}

fn add_error_context(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        match co.force(a[1].clone()).await {
            Ok(v) => Ok(v),
            Err(e) => {
                let frame = "while evaluating the error message passed to builtins.addErrorContext";
                let message = coerce_to_string_in(&co, a[0].clone(), CoerceMode::PathSegment, frame, None).await?;
                // Shown even where the trace is cut short (CppNix's `TracePrint::Always`).
                e.trace.push(TraceFrame { message: message.to_str_lossy().into_owned(), pos: None, always: true });
                Err(e)
            }
        }
    })
}
