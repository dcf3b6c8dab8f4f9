//! String context as values: `getContext`, `appendContext`,
//! `unsafeDiscardOutputDependency`, `addDrvOutputDependencies`
//! (CppNix's `primops/context.cc`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::args::{self, err};
use super::json::string_no_context;
use super::{native, PrimOp};
use crate::coerce::{coerce_to_string, CoerceMode};
use crate::value::{AttrsBuilder, NixString, StringContext, StringContextElem as Elem, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    native("getContext", 1, get_context),
    native("appendContext", 2, append_context),
    native("unsafeDiscardOutputDependency", 1, unsafe_discard_output_dependency),
    native("addDrvOutputDependencies", 1, add_drv_output_dependencies),
];

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn is_derivation(path: &[u8]) -> bool {
    path.ends_with(b".drv")
}

/// What one store path of a context stands for.
#[derive(Default)]
struct Info {
    path: bool,
    all_outputs: bool,
    outputs: Vec<std::rc::Rc<[u8]>>,
}

fn get_context(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let v = co.force(a[0].clone()).await?;
        let s = args::string(&co.state, &v)
            .map_err(|e| e.with_frame("while evaluating the argument passed to builtins.getContext", None))?;
        let mut infos: BTreeMap<Cow<'_, [u8]>, Info> = BTreeMap::new();
        for elem in s.context().into_iter().flatten() {
            match elem {
                Elem::Opaque(p) => infos.entry(Cow::Borrowed(&**p)).or_default().path = true,
                Elem::DrvDeep(p) => infos.entry(Cow::Borrowed(&**p)).or_default().all_outputs = true,
                // An output of a derivation that is itself built (`outputOf`):
                // CppNix resolves the derivation's path first.
                Elem::Built { drv, output } if drv.contains(&b'^') => {
                    let derived = super::output_of::DerivedPath::parse_drv(&co.state, drv)?;
                    let path = super::output_of::resolve(&co.state, &derived)?;
                    let shown = co.state.store.borrow().dir.print_path(&path);
                    infos.entry(Cow::Owned(shown.into_bytes())).or_default().outputs.push(output.clone());
                }
                Elem::Built { drv, output } => {
                    infos.entry(Cow::Borrowed(&**drv)).or_default().outputs.push(output.clone())
                }
            }
        }
        let state = &co.state;
        let mut b = AttrsBuilder::with_capacity(infos.len());
        for (path, info) in infos {
            let mut inner = AttrsBuilder::with_capacity(3);
            if info.path {
                inner.insert(state.intern("path"), Value::Bool(true), None);
            }
            if info.all_outputs {
                inner.insert(state.intern("allOutputs"), Value::Bool(true), None);
            }
            if !info.outputs.is_empty() {
                let list = info.outputs.iter().map(|o| Value::string(NixString::from(&o[..]))).collect();
                inner.insert(state.intern("outputs"), Value::list(list), None);
            }
            b.insert(state.intern(&*path), Value::attrs(inner.build()), None);
        }
        Ok(Value::attrs(b.build()))
    })
}

fn append_context(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let state = co.state.clone();
        let v = co.force(a[0].clone()).await?;
        let orig = args::string(&state, &v)
            .map_err(|e| e.with_frame("while evaluating the first argument passed to builtins.appendContext", None))?
            .clone();
        let set = co.force(a[1].clone()).await?;
        let set = args::attrs(&state, &set)
            .map_err(|e| e.with_frame("while evaluating the second argument passed to builtins.appendContext", None))?
            .clone();
        let mut context = orig.context_set().unwrap_or_default();
        let store = neve_store::StoreDir::new("/nix/store");
        let (path_sym, all_sym, outputs_sym) =
            (state.intern("path"), state.intern("allOutputs"), state.intern("outputs"));
        for attr in set.iter() {
            let name = state.name_bytes(attr.name);
            let at = |e: crate::error::EvalError| match attr.pos {
                Some(p) => e.at(p),
                None => e,
            };
            if store.parse_path(&String::from_utf8_lossy(&name)).is_err() || std::str::from_utf8(&name).is_err() {
                return Err(at(err(format!("context key '{}' is not a store path", lossy(&name)))));
            }
            let value = co.force(attr.value.clone()).await?;
            let info = args::attrs(&state, &value)
                .map_err(|e| at(e.with_frame("while evaluating the value of a string context", None)))?
                .clone();
            if let Some(p) = info.get(path_sym).cloned() {
                let p = co.force(p).await?;
                let p = args::bool(&state, &p)
                    .map_err(|e| e.with_frame("while evaluating the `path` attribute of a string context", None))?;
                if p {
                    context.insert(Elem::Opaque(name.clone().into()));
                }
            }
            if let Some(all) = info.get(all_sym).cloned() {
                let all = co.force(all).await?;
                let all = args::bool(&state, &all).map_err(|e| {
                    e.with_frame("while evaluating the `allOutputs` attribute of a string context", None)
                })?;
                if all {
                    if !is_derivation(&name) {
                        return Err(at(err(format!(
                            "tried to add all-outputs context of {}, which is not a derivation, to a string",
                            lossy(&name)
                        ))));
                    }
                    context.insert(Elem::DrvDeep(name.clone().into()));
                }
            }
            if let Some(outputs) = info.get(outputs_sym).cloned() {
                let outputs = co.force(outputs).await?;
                let outputs = args::list(&state, &outputs)
                    .map_err(|e| e.with_frame("while evaluating the `outputs` attribute of a string context", None))?
                    .clone();
                if !outputs.0.is_empty() && !is_derivation(&name) {
                    return Err(at(err(format!(
                        "tried to add derivation output context of {}, which is not a derivation, to a string",
                        lossy(&name)
                    ))));
                }
                for o in &outputs.0 {
                    let o = co.force(o.clone()).await?;
                    let o = string_no_context(&state, &o, "while evaluating an output name within a string context")?;
                    context.insert(Elem::Built { drv: name.clone().into(), output: o.as_bytes().into() });
                }
            }
        }
        Ok(Value::string(NixString::new(orig.as_bytes(), Some(context))))
    })
}

fn unsafe_discard_output_dependency(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let s = coerce_to_string(&co, a[0].clone(), CoerceMode::Interpolation).await.map_err(|e| {
            e.with_frame("while evaluating the argument passed to builtins.unsafeDiscardOutputDependency", None)
        })?;
        let context: StringContext = s
            .context()
            .into_iter()
            .flatten()
            .map(|c| match c {
                Elem::DrvDeep(p) => Elem::Opaque(p.clone()),
                other => other.clone(),
            })
            .collect();
        Ok(Value::string(NixString::new(s.as_bytes(), Some(context))))
    })
}

fn add_drv_output_dependencies(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let s = coerce_to_string(&co, a[0].clone(), CoerceMode::Interpolation).await.map_err(|e| {
            e.with_frame("while evaluating the argument passed to builtins.addDrvOutputDependencies", None)
        })?;
        let elems: Vec<&Elem> = s.context().into_iter().flatten().collect();
        let [elem] = elems[..] else {
            return Err(err(format!(
                "context of string '{}' must have exactly one element, but has {}",
                s.to_str_lossy(),
                elems.len()
            )));
        };
        let deep = match elem {
            Elem::Opaque(p) => {
                if !is_derivation(p) {
                    return Err(err(format!("path '{}' is not a derivation", lossy(p))));
                }
                Elem::DrvDeep(p.clone())
            }
            Elem::Built { output, .. } => {
                return Err(err(format!(
                    "`addDrvOutputDependencies` can only act on derivations, not on a derivation output such as '{}'",
                    lossy(output)
                )))
            }
            Elem::DrvDeep(p) => Elem::DrvDeep(p.clone()),
        };
        Ok(Value::string(NixString::new(s.as_bytes(), Some(StringContext::from([deep])))))
    })
}
