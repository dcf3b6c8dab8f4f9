//! `fetchTree`: its argument is checked as CppNix checks it; fetching
//! itself needs the store and fetchers, which neve does not have yet.

use super::args::err;
use super::{native, strict, PrimOp};
use crate::coerce::{coerce_to_string, CoerceMode};
use crate::error::EvalError;
use crate::value::Value;
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    native("fetchTree", 1, fetch_tree),
    strict("fetchurl", 1, |_, _| Err(not_supported("fetchurl"))),
    strict("fetchTarball", 1, |_, _| Err(not_supported("fetchTarball"))),
    strict("fetchGit", 1, |_, _| Err(not_supported("fetchGit"))),
    strict("fetchMercurial", 1, |_, _| Err(not_supported("fetchMercurial"))),
];

fn not_supported(name: &str) -> EvalError {
    err(format!("'builtins.{name}' is not yet supported by neve"))
}

fn not_yet() -> EvalError {
    err("'builtins.fetchTree' is not yet supported by neve: it needs the store")
}

fn fetch_tree(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let fetcher = "fetchTree";
        let arg = co.force(a[0].clone()).await?;
        let Value::Attrs(set) = &arg else {
            coerce_to_string(&co, arg.clone(), CoerceMode::PathSegment).await.map_err(|e| {
                e.with_frame(format!("while evaluating the first argument passed to '{fetcher}'"), None)
            })?;
            return Err(not_yet());
        };
        let type_sym = co.state.sym.type_;
        match set.get(type_sym).cloned() {
            Some(t) => {
                let t = co.force(t).await?;
                super::json::string_no_context(
                    &co.state,
                    &t,
                    &format!("while evaluating the `type` argument passed to '{fetcher}'"),
                )?;
            }
            None => return Err(err(format!("argument 'type' is missing in call to '{fetcher}'"))),
        }
        for attr in set.iter() {
            if attr.name == type_sym {
                continue;
            }
            let name = co.state.name(attr.name);
            match co.force(attr.value.clone()).await? {
                v @ (Value::String(_) | Value::Path(_)) => {
                    coerce_to_string(&co, v, CoerceMode::PathSegment).await?;
                }
                Value::Bool(_) => {}
                Value::Int(i) if i < 0 => {
                    return Err(err(format!("negative value given for '{fetcher}' argument '{name}': {i}")))
                }
                Value::Int(_) => {}
                _ if name == "publicKeys" => {}
                other => {
                    return Err(err(format!(
                        "argument '{name}' to '{fetcher}' is {} while a string, Boolean or integer is expected",
                        other.type_description()
                    )))
                }
            }
        }
        if set.get(co.state.sym.name).is_some() {
            return Err(err(format!("argument 'name' isn’t supported in call to '{fetcher}'")));
        }
        Err(not_yet())
    })
}
