//! Turning values into strings, as CppNix's `coerceToString` does.

use crate::error::{EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::{NixString, StringContext, Value};
use crate::vm::Co;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoerceMode {
    /// `"${x}"` and `+`: strings, paths (copied to the store), and sets
    /// with `__toString` or `outPath` only.
    Interpolation,
    /// A later piece of an interpolated path: as `Interpolation`, but paths
    /// stay paths.
    PathSegment,
    /// `toString`: also numbers, Booleans, `null` and lists.
    ToString,
    /// Derivation attributes: as `ToString`, but paths are copied to the
    /// store (CppNix's `coerceMore` with `copyToStore`).
    DrvAttr,
}

impl CoerceMode {
    /// Whether numbers, Booleans, `null` and lists coerce.
    fn more(self) -> bool {
        matches!(self, CoerceMode::ToString | CoerceMode::DrvAttr)
    }
}

fn cannot_coerce(v: &Value) -> EvalError {
    EvalError::eval(format!("cannot coerce {} to a string: {}", v.type_description(), crate::print::print_for_error(v)))
}

/// The string when no evaluation is needed; `None` otherwise (a set with
/// `__toString` or `outPath`, a list with thunks, a thunk).
pub fn coerce_to_string_sync(state: &EvalState, v: &Value, mode: CoerceMode) -> Option<EvalResult<NixString>> {
    Some(match v {
        Value::String(s) => Ok((**s).clone()),
        Value::Path(p) if matches!(mode, CoerceMode::Interpolation | CoerceMode::DrvAttr) => {
            crate::store::copy_path_to_store(state, p)
        }
        Value::Path(p) => Ok(NixString::from(&p[..])),
        Value::Attrs(_) | Value::Thunk(_) => return None,
        Value::Int(i) if mode.more() => Ok(NixString::from(i.to_string())),
        Value::Float(f) if mode.more() => Ok(NixString::from(crate::print::float_to_string(*f))),
        Value::Bool(b) if mode.more() => Ok(NixString::from(if *b { "1" } else { "" })),
        Value::Null if mode.more() => Ok(NixString::from("")),
        Value::List(l) if mode.more() => {
            let mut out = Vec::new();
            let mut context = StringContext::new();
            let n = l.0.len();
            for (i, item) in l.0.iter().enumerate() {
                match coerce_to_string_sync(state, item, mode)? {
                    Ok(s) => {
                        out.extend_from_slice(s.as_bytes());
                        if let Some(c) = s.context() {
                            context.extend(c.iter().cloned());
                        }
                    }
                    Err(e) => return Some(Err(e)),
                }
                if i + 1 < n && !matches!(item, Value::List(x) if x.0.is_empty()) {
                    out.push(b' ');
                }
            }
            Ok(NixString::new(out, Some(context)))
        }
        other => Err(cannot_coerce(other)),
    })
}

/// CppNix's `coerceToString`, evaluating what it must.
pub async fn coerce_to_string(co: &Co, v: Value, mode: CoerceMode) -> EvalResult<NixString> {
    let v = co.force(v).await?;
    if let Some(r) = coerce_to_string_sync(&co.state, &v, mode) {
        return r;
    }
    match &v {
        Value::Attrs(set) => {
            if let Some(f) = set.get(co.state.sym.to_string).cloned() {
                let result = co.call(f, v.clone()).await?;
                return Box::pin(coerce_to_string(co, result, mode)).await;
            }
            if let Some(out) = set.get(co.state.sym.out_path).cloned() {
                return Box::pin(coerce_to_string(co, out, mode)).await;
            }
            Err(cannot_coerce(&v))
        }
        Value::List(l) => {
            let mut out = Vec::new();
            let mut context = StringContext::new();
            let n = l.0.len();
            for (i, item) in l.0.iter().enumerate() {
                let item = co.force(item.clone()).await?;
                let s = Box::pin(coerce_to_string(co, item.clone(), mode)).await?;
                out.extend_from_slice(s.as_bytes());
                if let Some(c) = s.context() {
                    context.extend(c.iter().cloned());
                }
                if i + 1 < n && !matches!(&item, Value::List(x) if x.0.is_empty()) {
                    out.push(b' ');
                }
            }
            Ok(NixString::new(out, Some(context)))
        }
        _ => unreachable!("the synchronous path decides the rest"),
    }
}
