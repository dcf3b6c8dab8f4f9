//! Builtins on attribute sets.

use super::args::{self, err};
use super::{native, strict, PrimOp};
use crate::error::EvalResult;
use crate::state::EvalState;
use crate::value::{Attr, Attrs, AttrsBuilder, Thunk, ThunkState, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    strict("attrNames", 1, attr_names),
    strict("attrValues", 1, attr_values),
    strict("hasAttr", 2, |s, a| {
        let name = args::string(s, &a[0])?;
        let set = args::attrs(s, &a[1])?;
        Ok(Value::Bool(set.get(s.intern(name.as_bytes())).is_some()))
    }),
    strict("getAttr", 2, |s, a| {
        let name = args::string(s, &a[0])?;
        crate::vm::select_attr(s, &a[1], s.intern(name.as_bytes()))
    }),
    native("removeAttrs", 2, remove_attrs),
    native("listToAttrs", 1, list_to_attrs),
    strict("mapAttrs", 2, map_attrs),
    strict("intersectAttrs", 2, |s, a| {
        let x = args::attrs(s, &a[0])?;
        let y = args::attrs(s, &a[1])?;
        // Walk the smaller set and look names up in the larger one, as
        // CppNix does: `intersectAttrs (functionArgs f) scope` over a large
        // package set must not cost the size of the set.
        let kept: Vec<Attr> = if x.len() < y.len() {
            x.iter().filter_map(|attr| y.get_attr(attr.name).cloned()).collect()
        } else {
            y.iter().filter(|attr| x.get(attr.name).is_some()).cloned().collect()
        };
        Ok(Value::attrs(Attrs::from_unsorted(kept)))
    }),
    native("catAttrs", 2, cat_attrs),
    strict("unsafeGetAttrPos", 2, |s, a| {
        let name = args::string(s, &a[0])?;
        let set = args::attrs(s, &a[1])?;
        let pos = set.get_attr(s.intern(name.as_bytes())).and_then(|attr| attr.pos);
        Ok(crate::vm::position_attrs(s, pos))
    }),
    native("zipAttrsWith", 2, zip_attrs_with),
];

fn sorted_by_name(state: &EvalState, set: &Attrs) -> Vec<(Vec<u8>, Value)> {
    let mut items: Vec<(Vec<u8>, Value)> = set.iter().map(|a| (state.name_bytes(a.name), a.value.clone())).collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

fn attr_names(state: &EvalState, a: Vec<Value>) -> EvalResult<Value> {
    let set = args::attrs(state, &a[0])?;
    Ok(Value::list(sorted_by_name(state, set).into_iter().map(|(n, _)| Value::string(n)).collect()))
}

fn attr_values(state: &EvalState, a: Vec<Value>) -> EvalResult<Value> {
    let set = args::attrs(state, &a[0])?;
    Ok(Value::list(sorted_by_name(state, set).into_iter().map(|(_, v)| v).collect()))
}

fn remove_attrs(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let set = co.force(a[0].clone()).await?;
        let set = args::attrs(&co.state, &set)?.clone();
        let names = co.force(a[1].clone()).await?;
        let names = args::list(&co.state, &names)?.clone();
        let mut remove = Vec::with_capacity(names.0.len());
        for n in &names.0 {
            let n = co.force(n.clone()).await?;
            remove.push(co.state.intern(args::string(&co.state, &n)?.as_bytes()));
        }
        Ok(Value::attrs(set.without(&remove)))
    })
}

fn list_to_attrs(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = co.force(a[0].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        let mut b = AttrsBuilder::with_capacity(list.0.len());
        for item in &list.0 {
            let item = co.force(item.clone()).await?;
            let set = args::attrs(&co.state, &item)?;
            let Some(name) = set.get(co.state.sym.name).cloned() else {
                return Err(err("attribute 'name' missing"));
            };
            let name = co.force(name).await?;
            let sym = co.state.intern(args::string(&co.state, &name)?.as_bytes());
            let Some(value) = set.get(co.state.sym.value).cloned() else {
                return Err(err("attribute 'value' missing"));
            };
            b.insert(sym, value, None);
        }
        // The first definition of a name wins: `build` keeps the first.
        Ok(Value::attrs(b.build()))
    })
}

fn map_attrs(state: &EvalState, a: Vec<Value>) -> EvalResult<Value> {
    let set = args::attrs(state, &a[1])?;
    let f = a[0].clone();
    let mapped: Vec<Attr> = set
        .iter()
        .map(|attr| {
            let name = Value::string(state.name_bytes(attr.name));
            let partial = Thunk::new(ThunkState::Apply { func: f.clone(), arg: name });
            Attr {
                name: attr.name,
                value: Thunk::new(ThunkState::Apply { func: partial, arg: attr.value.clone() }),
                pos: attr.pos,
            }
        })
        .collect();
    Ok(Value::attrs(Attrs::from_unsorted(mapped)))
}

fn cat_attrs(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let name = co.force(a[0].clone()).await?;
        let sym = co.state.intern(args::string(&co.state, &name)?.as_bytes());
        let list = co.force(a[1].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        let mut out = Vec::new();
        for item in &list.0 {
            let item = co.force(item.clone()).await?;
            if let Some(v) = args::attrs(&co.state, &item)?.get(sym) {
                out.push(v.clone());
            }
        }
        Ok(Value::list(out))
    })
}

fn zip_attrs_with(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let f = co.force(a[0].clone()).await?;
        let list = co.force(a[1].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        if !list.0.is_empty() {
            args::function(&co.state, &f).map_err(|e| {
                e.with_frame("while evaluating the first argument passed to builtins.zipAttrsWith", None)
            })?;
        }
        let mut groups: Vec<(crate::symbol::Symbol, Vec<Value>)> = Vec::new();
        for item in &list.0 {
            let item = co.force(item.clone()).await?;
            for attr in args::attrs(&co.state, &item)?.iter() {
                match groups.iter_mut().find(|(n, _)| *n == attr.name) {
                    Some((_, vs)) => vs.push(attr.value.clone()),
                    None => groups.push((attr.name, vec![attr.value.clone()])),
                }
            }
        }
        let mut b = AttrsBuilder::with_capacity(groups.len());
        for (name, values) in groups {
            let partial =
                Thunk::new(ThunkState::Apply { func: f.clone(), arg: Value::string(co.state.name_bytes(name)) });
            b.insert(name, Thunk::new(ThunkState::Apply { func: partial, arg: Value::list(values) }), None);
        }
        Ok(Value::attrs(b.build()))
    })
}
