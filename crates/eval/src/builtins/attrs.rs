//! Builtins on attribute sets.

use super::args::{self, err};
use super::{native, strict, PrimOp};
use crate::error::EvalResult;
use crate::state::EvalState;
use crate::value::{Attr, Attrs, AttrsBuilder, Gc, Thunk, ThunkState, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    strict("attrNames", 1, attr_names),
    strict("attrValues", 1, attr_values),
    strict("hasAttr", 2, |s, a| {
        let name = args::string(s, &a[0])?;
        let set = args::attrs(s, &a[1])?;
        Ok(Value::Bool(set.get(s.intern_string(name)).is_some()))
    }),
    native("getAttr", 2, get_attr),
    native("removeAttrs", 2, remove_attrs),
    native("listToAttrs", 1, list_to_attrs),
    native("mapAttrs", 2, map_attrs),
    strict("intersectAttrs", 2, |s, a| {
        let x = args::attrs(s, &a[0])?;
        let y = args::attrs(s, &a[1])?;
        // Walk the smaller set and look names up in the larger one, as
        // CppNix does: `intersectAttrs (functionArgs f) scope` over a large
        // package set must not cost the size of the set.
        // Either way the attributes come in symbol order.
        let kept: Vec<Attr> = if x.len() < y.len() {
            x.iter().filter_map(|attr| y.get_attr(attr.name).cloned()).collect()
        } else {
            y.iter().filter(|attr| x.get(attr.name).is_some()).cloned().collect()
        };
        Ok(Value::attrs(Attrs::from_sorted(kept)))
    }),
    native("catAttrs", 2, cat_attrs),
    strict("unsafeGetAttrPos", 2, |s, a| {
        let name = args::string(s, &a[0])?;
        let set = args::attrs(s, &a[1])?;
        let pos = set.get_attr(s.intern_string(name)).and_then(|attr| attr.pos);
        Ok(crate::vm::position_attrs(s, pos))
    }),
    native("zipAttrsWith", 2, zip_attrs_with),
];

/// The set's attributes in the byte order of their names.
fn sorted_by_name<'a>(names: &crate::symbol::Interner, set: &'a Attrs) -> Vec<&'a Attr> {
    let mut items: Vec<&Attr> = set.iter().collect();
    // Symbol order is often byte order already (names interned in order).
    if items.is_sorted_by(|a, b| names.resolve(a.name) <= names.resolve(b.name)) {
        return items;
    }
    // Sorted by their first eight bytes, as a number, then by all of them
    // (the same order): most comparisons are one of numbers. (The stable
    // sort, as it finds and merges runs: names interned in numeric order,
    // `x1 x2 ... x10 x11`, are runs in byte order.)
    let mut keyed: Vec<(u64, &[u8], &Attr)> = items
        .iter()
        .map(|&a| {
            let name = names.resolve(a.name);
            let mut head = [0u8; 8];
            let n = name.len().min(8);
            head[..n].copy_from_slice(&name[..n]);
            (u64::from_be_bytes(head), name, a)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    items.clear();
    items.extend(keyed.into_iter().map(|(_, _, a)| a));
    items
}

fn attr_names(state: &EvalState, a: &[Value]) -> EvalResult<Value> {
    let set = args::attrs(state, &a[0])?;
    let names = state.with_names(|names| {
        sorted_by_name(names, set).into_iter().map(|attr| Value::String(names.string(attr.name))).collect()
    });
    Ok(Value::list(names))
}

fn attr_values(state: &EvalState, a: &[Value]) -> EvalResult<Value> {
    let set = args::attrs(state, &a[0])?;
    let values = state.with_names(|names| sorted_by_name(names, set).into_iter().map(|a| a.value.clone()).collect());
    Ok(Value::list(values))
}

fn get_attr(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let name =
            args::force_string_no_ctx(&co, &a[0], "while evaluating the first argument passed to builtins.getAttr")
                .await?;
        let set =
            args::force_attrs(&co, &a[1], "while evaluating the second argument passed to builtins.getAttr").await?;
        let sym = co.state.intern_string(&name);
        match set.get(sym) {
            Some(v) => co.force(v.clone()).await,
            None => Err(missing(&co.state, sym, "in the attribute set under consideration")),
        }
    })
}

/// CppNix's `getAttr` failure, with the frame it adds.
fn missing(state: &EvalState, sym: crate::symbol::Symbol, frame: &str) -> crate::error::EvalError {
    err(format!("attribute '{}' missing", state.name(sym))).with_frame(frame, None)
}

fn remove_attrs(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let set =
            args::force_attrs(&co, &a[0], "while evaluating the first argument passed to builtins.removeAttrs").await?;
        let names =
            args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.removeAttrs").await?;
        let mut remove = Vec::with_capacity(names.0.len());
        for n in &names.0 {
            let name = match n.resolved() {
                Some(Value::String(s)) if !s.has_context() => s,
                _ => {
                    let frame = "while evaluating the values of the second argument passed to builtins.removeAttrs";
                    args::force_string_no_ctx(&co, n, frame).await?
                }
            };
            remove.push(co.state.intern_string(&name));
        }
        Ok(Value::attrs(set.without(&remove)))
    })
}

const PAIR: &str = "in a {name=...; value=...;} pair";

fn list_to_attrs(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let list = args::force_list(&co, &a[0], "while evaluating the argument passed to builtins.listToAttrs").await?;
        // The VM walks the list (see `ListToAttrs`): forcing an element or
        // a name then costs no suspension of this builtin.
        co.list_to_attrs(list).await
    })
}

/// How `listToAttrs` takes its list apart, one element at a time: the VM
/// forces what is not yet evaluated (in CppNix's order: an element, then
/// its name) and calls these on the results.
pub(crate) mod pairs {
    use super::{args, missing, PAIR};
    use crate::error::{EvalError, EvalResult};
    use crate::source::Pos;
    use crate::state::EvalState;
    use crate::symbol::Symbol;
    use crate::value::{Attr, Attrs, Value};

    /// The frame of errors in a `name`, which is located at its definition.
    pub const NAME_FRAME: &str =
        "while evaluating the `name` attribute of an element of the list passed to builtins.listToAttrs";

    /// An element, forced: its set and the `name` attribute's value and
    /// position.
    pub fn element(state: &EvalState, item: &Value) -> EvalResult<(Attrs, Value, Option<Pos>)> {
        let frame = "while evaluating an element of the list passed to builtins.listToAttrs";
        let set = args::attrs(state, item).map_err(|e| e.with_frame(frame, None))?;
        let Some(name) = set.get_attr(state.sym.name) else {
            return Err(missing(state, state.sym.name, PAIR));
        };
        Ok((set.clone(), name.value.clone(), name.pos))
    }

    /// A `name`, forced, as a symbol.
    pub fn name(state: &EvalState, name: Value, pos: Option<Pos>) -> EvalResult<Symbol> {
        let s = match name {
            Value::String(s) if !s.has_context() => s,
            other => args::string_no_ctx_at(state, other, NAME_FRAME, pos)?,
        };
        Ok(state.intern_string(&s))
    }

    /// The set of the pairs (named, in list order): the first of a name
    /// wins. All names come first, then the values: CppNix looks the
    /// values up in name order; which pair lacks one cannot show, the
    /// error being the same for all.
    pub fn finish(state: &EvalState, pairs: &[(Symbol, Attrs)]) -> Result<Value, EvalError> {
        // By symbol, then by place in the list: the set's own order,
        // reached without sorting when the names are new ones interned in
        // list order.
        let mut order: Vec<u64> =
            pairs.iter().enumerate().map(|(i, (sym, _))| (u64::from(sym.index()) << 32) | i as u64).collect();
        if !order.is_sorted() {
            order.sort_unstable();
        }
        let mut attrs = Vec::with_capacity(pairs.len());
        let mut prev = None;
        for key in order {
            let (sym, set) = &pairs[key as u32 as usize];
            if prev == Some(*sym) {
                continue;
            }
            prev = Some(*sym);
            let Some(value) = set.get_attr(state.sym.value) else {
                return Err(missing(state, state.sym.value, PAIR));
            };
            attrs.push(Attr { name: *sym, value: value.value.clone(), pos: value.pos });
        }
        Ok(Value::attrs(Attrs::from_sorted(attrs)))
    }
}

fn map_attrs(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let set =
            args::force_attrs(&co, &a[1], "while evaluating the second argument passed to builtins.mapAttrs").await?;
        // CppNix leaves the function unevaluated: behind a thunk, so that
        // calls of it have no call site (see `determine_pos`).
        let f = match &a[0] {
            Value::Thunk(t) => t.clone(),
            f => Gc::new(Thunk::from_state(ThunkState::Done(f.clone()))),
        };
        // The new attributes have no positions (CppNix's neither).
        let mapped: Vec<Attr> = (0..set.len() as u32)
            .map(|index| Attr {
                name: set.at(index as usize).name,
                value: Value::Thunk(Gc::new(Thunk::from_state(ThunkState::ApplyToAttr {
                    func: f.clone(),
                    set: set.clone(),
                    index,
                }))),
                pos: None,
            })
            .collect();
        // Already in symbol order.
        Ok(Value::attrs(Attrs::from_sorted(mapped)))
    })
}

fn cat_attrs(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let name =
            args::force_string_no_ctx(&co, &a[0], "while evaluating the first argument passed to builtins.catAttrs")
                .await?;
        let sym = co.state.intern_string(&name);
        let list =
            args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.catAttrs").await?;
        let mut out = Vec::new();
        for item in &list.0 {
            let frame = "while evaluating an element in the list passed as second argument to builtins.catAttrs";
            if let Some(v) = args::force_attrs(&co, item, frame).await?.get(sym) {
                out.push(v.clone());
            }
        }
        Ok(Value::list(out))
    })
}

fn zip_attrs_with(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let f = args::force_function(&co, &a[0], "while evaluating the first argument passed to builtins.zipAttrsWith")
            .await?;
        let list = args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.zipAttrsWith")
            .await?;
        let mut groups: Vec<(crate::symbol::Symbol, Vec<Value>)> = Vec::new();
        for item in &list.0 {
            let frame = "while evaluating a value of the list passed as second argument to builtins.zipAttrsWith";
            for attr in args::force_attrs(&co, item, frame).await?.iter() {
                match groups.iter_mut().find(|(n, _)| *n == attr.name) {
                    Some((_, vs)) => vs.push(attr.value.clone()),
                    None => groups.push((attr.name, vec![attr.value.clone()])),
                }
            }
        }
        let mut b = AttrsBuilder::with_capacity(groups.len());
        for (name, values) in groups {
            let partial =
                Thunk::new(ThunkState::Apply { func: f.clone(), arg: Value::String(co.state.name_string(name)) });
            b.insert(name, Thunk::new(ThunkState::Apply { func: partial, arg: Value::list(values) }), None);
        }
        Ok(Value::attrs(b.build()))
    })
}
