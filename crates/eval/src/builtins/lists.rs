//! Builtins on lists.

use super::args::{self, err};
use super::{native, strict, PrimOp};
use crate::value::{AttrsBuilder, Thunk, ThunkState, Value};
use crate::vm::{equal, Co, NativeFuture};

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
    strict("elemAt", 2, |s, a| {
        let l = args::list(s, &a[0])?;
        let i = args::int(s, &a[1])?;
        if i < 0 || i as usize >= l.0.len() {
            return Err(err(format!("list index {i} is out of bounds")));
        }
        Ok(l.0[i as usize].clone())
    }),
    strict("map", 2, |s, a| {
        let l = args::list(s, &a[1])?;
        let f = &a[0];
        if !l.0.is_empty() {
            args::function(s, f)
                .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.map", None))?;
        }
        Ok(Value::list(l.0.iter().map(|x| Thunk::new(ThunkState::Apply { func: f.clone(), arg: x.clone() })).collect()))
    }),
    strict("genList", 2, |s, a| {
        let n = args::int(s, &a[1])?;
        if n < 0 {
            return Err(err(format!("cannot create list of size {n}")));
        }
        let f = &a[0];
        if n > 0 {
            args::function(s, f)
                .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.genList", None))?;
        }
        Ok(Value::list((0..n).map(|i| Thunk::new(ThunkState::Apply { func: f.clone(), arg: Value::Int(i) })).collect()))
    }),
    native("filter", 2, filter),
    native("foldl'", 3, foldl),
    native("concatLists", 1, concat_lists),
    native("concatMap", 2, concat_map),
    native("elem", 2, elem),
    native("all", 2, |co, a| any_all(co, a, false)),
    native("any", 2, |co, a| any_all(co, a, true)),
    native("sort", 2, sort),
    native("partition", 2, partition),
    native("groupBy", 2, group_by),
];

fn filter(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = co.force(a[1].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        let mut out = Vec::new();
        for x in &list.0 {
            let keep = co.call(a[0].clone(), x.clone()).await?;
            if args::bool(&co.state, &keep)? {
                out.push(x.clone());
            }
        }
        Ok(Value::list(out))
    })
}

fn foldl(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = co.force(a[2].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        let mut acc = a[1].clone();
        for x in &list.0 {
            acc = co.call2(a[0].clone(), acc, x.clone()).await?;
        }
        co.force(acc).await
    })
}

fn concat_lists(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = co.force(a[0].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        let mut out = Vec::new();
        for x in &list.0 {
            let x = co.force(x.clone()).await?;
            out.extend(args::list(&co.state, &x)?.0.iter().cloned());
        }
        Ok(Value::list(out))
    })
}

fn concat_map(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = co.force(a[1].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        let mut out = Vec::new();
        for x in &list.0 {
            let r = co.call(a[0].clone(), x.clone()).await?;
            out.extend(args::list(&co.state, &r)?.0.iter().cloned());
        }
        Ok(Value::list(out))
    })
}

fn elem(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = co.force(a[1].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        for x in &list.0 {
            if equal(&co, a[0].clone(), x.clone()).await? {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    })
}

fn any_all(co: Co, a: Vec<Value>, any: bool) -> NativeFuture {
    Box::pin(async move {
        let list = co.force(a[1].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        for x in &list.0 {
            let r = co.call(a[0].clone(), x.clone()).await?;
            if args::bool(&co.state, &r)? == any {
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
        let list = co.force(a[1].clone()).await?;
        let mut items = args::list(&co.state, &list)?.0.clone();
        if items.is_empty() {
            return Ok(list);
        }
        let cmp = co.force(a[0].clone()).await?;
        args::function(&co.state, &cmp)?;
        // `sort lessThan` on numbers or strings needs no calls (CppNix
        // takes the same shortcut).
        if matches!(&cmp, Value::PrimOp(p) if p.args.is_empty() && p.op.name == "lessThan") {
            let mut forced = Vec::with_capacity(items.len());
            for x in &items {
                forced.push(co.force(x.clone()).await?);
            }
            let numbers = forced.iter().all(|v| matches!(v, Value::Int(_) | Value::Float(_)));
            let strings = forced.iter().all(|v| matches!(v, Value::String(_)));
            if numbers || strings {
                let state = &co.state;
                forced.sort_by(|x, y| match crate::vm::less_than_values(state, x, y) {
                    Some(true) => std::cmp::Ordering::Less,
                    _ if matches!(crate::vm::less_than_values(state, y, x), Some(true)) => std::cmp::Ordering::Greater,
                    _ => std::cmp::Ordering::Equal,
                });
                return Ok(Value::list(forced));
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
                    let lt = co.call2(cmp.clone(), items[j].clone(), items[i].clone()).await?;
                    if args::bool(&co.state, &lt)? {
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
        let list = co.force(a[1].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        let (mut right, mut wrong) = (Vec::new(), Vec::new());
        for x in &list.0 {
            let r = co.call(a[0].clone(), x.clone()).await?;
            if args::bool(&co.state, &r)? {
                right.push(x.clone());
            } else {
                wrong.push(x.clone());
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
        let list = co.force(a[1].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        let mut groups: Vec<(crate::symbol::Symbol, Vec<Value>)> = Vec::new();
        for x in &list.0 {
            let key = co.call(a[0].clone(), x.clone()).await?;
            let sym = co.state.intern(args::string(&co.state, &key)?.as_bytes());
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
