//! Builtins on lists.

use super::args::{self, err};
use super::{native, strict, with_fast, PrimOp};
use crate::error::EvalResult;
use crate::state::EvalState;
use crate::value::{AttrsBuilder, Gc, List, Thunk, ThunkState, Value};
use crate::vm::{compare_values, Co, Each, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    strict("length", 1, |s, a| Ok(Value::Int(args::list(s, &a[0])?.0.len() as i64))),
    strict("head", 1, |s, a| {
        args::list(s, &a[0])?.0.first().cloned().ok_or_else(|| err("'builtins.head' called on an empty list"))
    }),
    strict("tail", 1, |s, a| {
        let l = args::list(s, &a[0])?;
        if l.0.is_empty() {
            return Err(err("'builtins.tail' called on an empty list"));
        }
        Ok(Value::list(l.0[1..].to_vec()))
    }),
    with_fast(native("elemAt", 2, elem_at), elem_at_fast),
    with_fast(native("map", 2, map), map_fast),
    with_fast(native("genList", 2, gen_list), gen_list_fast),
    native("filter", 2, filter),
    native("foldl'", 3, foldl),
    with_fast(native("concatLists", 1, concat_lists), concat_lists_fast),
    native("concatMap", 2, concat_map),
    native("elem", 2, elem),
    native("all", 2, |co, a| any_all(co, a, false)),
    native("any", 2, |co, a| any_all(co, a, true)),
    native("sort", 2, sort),
    native("partition", 2, partition),
    native("groupBy", 2, group_by),
];

fn elem_at(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let i = args::force_int(&co, &a[1], "while evaluating the second argument passed to 'builtins.elemAt'").await?;
        let list =
            args::force_list(&co, &a[0], "while evaluating the first argument passed to 'builtins.elemAt'").await?;
        match usize::try_from(i).ok().and_then(|i| list.0.get(i)) {
            Some(v) => co.force(v.clone()).await,
            None => Err(err(format!("'builtins.elemAt' called with index {i} on a list of size {}", list.0.len()))),
        }
    })
}

/// `elemAt` of a known list at a known index whose element is evaluated.
fn elem_at_fast(_: &EvalState, a: &[Value]) -> Option<EvalResult<Value>> {
    let Value::Int(i) = a[1].resolved()? else { return None };
    let Value::List(list) = a[0].resolved()? else { return None };
    match usize::try_from(i).ok().and_then(|i| list.0.get(i)) {
        Some(v) => v.resolved().map(Ok),
        None => Some(Err(err(format!("'builtins.elemAt' called with index {i} on a list of size {}", list.0.len())))),
    }
}

/// Whether `map`, `genList` and friends may take `f` as it is: a function
/// known without evaluation (else the native checks it, with its frame).
fn known_function(state: &EvalState, f: &Value) -> Option<Value> {
    let f = f.resolved()?;
    args::function(state, &f).ok()?;
    Some(f)
}

fn map_fast(state: &EvalState, a: &[Value]) -> Option<EvalResult<Value>> {
    let Value::List(list) = a[1].resolved()? else { return None };
    if list.0.is_empty() {
        return Some(Ok(Value::List(list)));
    }
    let f = known_function(state, &a[0])?;
    Some(Ok(Value::list(
        list.0.iter().map(|x| Thunk::new(ThunkState::Apply { func: f.clone(), arg: x.clone() })).collect(),
    )))
}

fn gen_list_fast(state: &EvalState, a: &[Value]) -> Option<EvalResult<Value>> {
    let Value::Int(n) = a[1].resolved()? else { return None };
    if n < 0 {
        return Some(Err(err(format!("cannot create list of size {n}"))));
    }
    let f = known_function(state, &a[0])?;
    Some(Ok(Value::list(
        (0..n).map(|i| Thunk::new(ThunkState::Apply { func: f.clone(), arg: Value::Int(i) })).collect(),
    )))
}

fn concat_lists_fast(_: &EvalState, a: &[Value]) -> Option<EvalResult<Value>> {
    let Value::List(list) = a[0].resolved()? else { return None };
    let mut lists = Vec::with_capacity(list.0.len());
    let mut total = 0;
    for x in &list.0 {
        let Value::List(l) = x.resolved()? else { return None };
        total += l.0.len();
        lists.push(l);
    }
    let mut out = Vec::with_capacity(total);
    for l in &lists {
        out.extend_from_slice(&l.0);
    }
    Some(Ok(Value::list(out)))
}

fn map(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.map").await?;
        if list.0.is_empty() {
            return Ok(Value::List(list));
        }
        let f = args::force_function(&co, &a[0], "while evaluating the first argument passed to builtins.map").await?;
        Ok(Value::list(
            list.0.iter().map(|x| Thunk::new(ThunkState::Apply { func: f.clone(), arg: x.clone() })).collect(),
        ))
    })
}

fn gen_list(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let n = args::force_int(&co, &a[1], "while evaluating the second argument passed to builtins.genList").await?;
        if n < 0 {
            return Err(err(format!("cannot create list of size {n}")));
        }
        let f =
            args::force_function(&co, &a[0], "while evaluating the first argument passed to builtins.genList").await?;
        Ok(Value::list((0..n).map(|i| Thunk::new(ThunkState::Apply { func: f.clone(), arg: Value::Int(i) })).collect()))
    })
}

fn filter(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list =
            args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.filter").await?;
        if list.0.is_empty() {
            return Ok(Value::List(list));
        }
        let f =
            args::force_function(&co, &a[0], "while evaluating the first argument passed to builtins.filter").await?;
        if !matches!(f, Value::PrimOp(_)) {
            return co.each(f, list, Each::Filter).await;
        }
        let mut out = Vec::new();
        for x in &list.0 {
            let keep = match args::call_builtin_now(&co.state, &f, x) {
                Some(r) => match r.resolved() {
                    Some(v) => v,
                    None => co.force(r).await?,
                },
                None => co.call(f.clone(), x.clone()).await?,
            };
            let frame = Each::Filter.answer_frame();
            let keep = match keep {
                Value::Bool(b) => b,
                other => args::force_bool(&co, other, frame).await?,
            };
            if keep {
                out.push(x.clone());
            }
        }
        Ok(Value::list(out))
    })
}

fn foldl(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let f = args::force_function(&co, &a[0], "while evaluating the first argument passed to builtins.foldlStrict")
            .await?;
        let list =
            args::force_list(&co, &a[2], "while evaluating the third argument passed to builtins.foldlStrict").await?;
        co.fold_strict(f, a[1].clone(), list).await
    })
}

fn concat_lists(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list =
            args::force_list(&co, &a[0], "while evaluating the first argument passed to builtins.concatLists").await?;
        // The VM forces the elements, each checked to be a list in turn.
        co.force_each(list.clone(), |state, v| {
            let frame = "while evaluating a value of the list passed to builtins.concatLists";
            args::list(state, v).map(|_| ()).map_err(|e| e.with_frame(frame, None))
        })
        .await?;
        let lists: Vec<Gc<List>> = list
            .0
            .iter()
            .map(|x| match x.resolved() {
                Some(Value::List(l)) => l,
                _ => unreachable!("forced and checked to be lists"),
            })
            .collect();
        let mut out = Vec::with_capacity(lists.iter().map(|l| l.0.len()).sum());
        for l in &lists {
            out.extend_from_slice(&l.0);
        }
        Ok(Value::list(out))
    })
}

fn concat_map(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let f = args::force_function(&co, &a[0], "while evaluating the first argument passed to builtins.concatMap")
            .await?;
        let list =
            args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.concatMap").await?;
        // CppNix blames the function's position for a result that is not a list.
        let pos = match &f {
            Value::Lambda(c) => Some(c.lambda.pos),
            _ => None,
        };
        let mut out = Vec::new();
        for x in &list.0 {
            let r = co.call(f.clone(), x.clone()).await?;
            let items = args::list(&co.state, &r).map_err(|e| {
                e.with_frame("while evaluating the return value of the function passed to builtins.concatMap", pos)
            })?;
            out.extend(items.0.iter().cloned());
        }
        Ok(Value::list(out))
    })
}

fn elem(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.elem").await?;
        for x in &list.0 {
            if crate::vm::equal_or_identical(&co, a[0].clone(), x.clone()).await? {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    })
}

fn any_all(co: Co, a: Vec<Value>, any: bool) -> NativeFuture {
    Box::pin(async move {
        let (first, second, each) = if any {
            (
                "while evaluating the first argument passed to builtins.any",
                "while evaluating the second argument passed to builtins.any",
                Each::Any,
            )
        } else {
            (
                "while evaluating the first argument passed to builtins.all",
                "while evaluating the second argument passed to builtins.all",
                Each::All,
            )
        };
        let f = args::force_function(&co, &a[0], first).await?;
        let list = args::force_list(&co, &a[1], second).await?;
        if !matches!(f, Value::PrimOp(_)) {
            return co.each(f, list, each).await;
        }
        let result = each.answer_frame();
        for x in &list.0 {
            let r = match args::call_builtin_now(&co.state, &f, x) {
                Some(r) => match r.resolved() {
                    Some(v) => v,
                    None => co.force(r).await?,
                },
                None => co.call(f.clone(), x.clone()).await?,
            };
            let r = match r {
                Value::Bool(b) => b,
                other => args::force_bool(&co, other, result).await?,
            };
            if r == any {
                return Ok(Value::Bool(any));
            }
        }
        Ok(Value::Bool(!any))
    })
}

/// A stable merge sort driven by the Nix comparator (which may be
/// inconsistent: the result is then some permutation, never a crash).
fn sort(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.sort").await?;
        if list.0.is_empty() {
            return Ok(Value::List(list));
        }
        let cmp =
            args::force_function(&co, &a[0], "while evaluating the first argument passed to builtins.sort").await?;
        // The VM forces the elements, in order, in one request.
        co.force_each(list.clone(), |_, _| Ok(())).await?;
        let mut items: Vec<Value> = list.0.iter().map(|x| x.resolved().expect("forced")).collect();
        // `sort lessThan` compares without calls (CppNix takes the same
        // shortcut, with its own frame).
        let less_than = matches!(&cmp, Value::PrimOp(p) if p.args.is_empty() && p.op.name == "lessThan");
        if less_than {
            if items.iter().all(|v| matches!(v, Value::Int(_))) {
                // Equal integers cannot be told apart, so the order need
                // not be stable: the numbers alone are sorted.
                let mut numbers: Vec<i64> = items
                    .iter()
                    .map(|v| match v {
                        Value::Int(i) => *i,
                        _ => unreachable!("all integers"),
                    })
                    .collect();
                numbers.sort_unstable();
                return Ok(Value::list(numbers.into_iter().map(Value::Int).collect()));
            }
            if items.iter().all(|v| matches!(v, Value::String(_))) {
                // Byte order, as `lessThan` compares strings.
                items.sort_by(|x, y| match (x, y) {
                    (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
                    _ => unreachable!("all strings"),
                });
                return Ok(Value::list(items));
            }
            if items.iter().all(|v| matches!(v, Value::Int(_) | Value::Float(_))) {
                let state = &co.state;
                items.sort_by(|x, y| match crate::vm::less_than_values(state, x, y) {
                    Some(true) => std::cmp::Ordering::Less,
                    _ if matches!(crate::vm::less_than_values(state, y, x), Some(true)) => std::cmp::Ordering::Greater,
                    _ => std::cmp::Ordering::Equal,
                });
                return Ok(Value::list(items));
            }
        }
        let mut width = 1;
        let n = items.len();
        let mut buf = Vec::with_capacity(n);
        while width < n {
            buf.clear();
            let mut start = 0;
            while start < n {
                let mid = (start + width).min(n);
                let end = (start + 2 * width).min(n);
                let (mut i, mut j) = (start, mid);
                while i < mid && j < end {
                    // Take from the right only when it is strictly less.
                    let lt = if less_than {
                        let frame = "while evaluating the ordering function passed to builtins.sort";
                        compare_values(&co, items[j].clone(), items[i].clone(), frame).await?
                    } else {
                        let r = co.call2(cmp.clone(), items[j].clone(), items[i].clone()).await?;
                        let frame = "while evaluating the return value of the sorting function passed to builtins.sort";
                        args::force_bool(&co, r, frame).await?
                    };
                    if lt {
                        buf.push(items[j].clone());
                        j += 1;
                    } else {
                        buf.push(items[i].clone());
                        i += 1;
                    }
                }
                buf.extend_from_slice(&items[i..mid]);
                buf.extend_from_slice(&items[j..end]);
                start = end;
            }
            std::mem::swap(&mut items, &mut buf);
            width *= 2;
        }
        Ok(Value::list(items))
    })
}

fn partition(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let f = args::force_function(&co, &a[0], "while evaluating the first argument passed to builtins.partition")
            .await?;
        let list =
            args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.partition").await?;
        let (mut right, mut wrong) = (Vec::new(), Vec::new());
        for x in &list.0 {
            let x = co.force(x.clone()).await?;
            let r = co.call(f.clone(), x.clone()).await?;
            let frame = "while evaluating the return value of the partition function passed to builtins.partition";
            if args::force_bool(&co, r, frame).await? {
                right.push(x);
            } else {
                wrong.push(x);
            }
        }
        let mut b = AttrsBuilder::with_capacity(2);
        b.insert(co.state.intern("right"), Value::list(right), None);
        b.insert(co.state.intern("wrong"), Value::list(wrong), None);
        Ok(Value::attrs(b.build()))
    })
}

fn group_by(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let f =
            args::force_function(&co, &a[0], "while evaluating the first argument passed to builtins.groupBy").await?;
        let list =
            args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.groupBy").await?;
        let mut groups: Vec<(crate::symbol::Symbol, Vec<Value>)> = Vec::new();
        for x in &list.0 {
            let key = co.call(f.clone(), x.clone()).await?;
            let frame = "while evaluating the return value of the grouping function passed to builtins.groupBy";
            let key = args::force_string_no_ctx(&co, &key, frame).await?;
            let sym = co.state.intern_string(&key);
            match groups.iter_mut().find(|(n, _)| *n == sym) {
                Some((_, vs)) => vs.push(x.clone()),
                None => groups.push((sym, vec![x.clone()])),
            }
        }
        let mut b = AttrsBuilder::with_capacity(groups.len());
        for (name, values) in groups {
            b.insert(name, Value::list(values), None);
        }
        Ok(Value::attrs(b.build()))
    })
}
