//! Turning values into strings, as CppNix's `coerceToString` does.

use crate::error::{EvalError, EvalResult};
use crate::source::Pos;
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

fn cannot_coerce(state: &EvalState, v: &Value) -> EvalError {
    let shown = crate::print::print_for_error(state, v);
    EvalError::eval(format!("cannot coerce {} to a string: {shown}", v.type_description()))
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
        other => Err(cannot_coerce(state, other)),
    })
}

/// CppNix's `coerceToString`, evaluating what it must.
pub async fn coerce_to_string(co: &Co, v: Value, mode: CoerceMode) -> EvalResult<NixString> {
    coerce_to_string_in(co, v, mode, None).await
}

/// Why a value is being coerced, and where: the frame CppNix's
/// `coerceToString` adds to its own "cannot coerce" errors.
#[derive(Clone, Copy)]
pub struct CoerceContext<'a> {
    pub message: &'a str,
    pub pos: Option<Pos>,
}

/// [`coerce_to_string`] with the frame for values that cannot be coerced;
/// calls of `__toString` and uses of `outPath` add their own frames.
pub async fn coerce_to_string_in(
    co: &Co,
    v: Value,
    mode: CoerceMode,
    ctx: Option<CoerceContext<'_>>,
) -> EvalResult<NixString> {
    let in_ctx = |e: EvalError| match ctx {
        Some(c) => e.with_frame(c.message, c.pos),
        None => e,
    };
    let v = co.force(v).await?;
    if let Some(r) = coerce_to_string_sync(&co.state, &v, mode) {
        return match &v {
            Value::String(_) | Value::Path(_) => r,
            _ => r.map_err(in_ctx),
        };
    }
    match &v {
        Value::Attrs(set) => {
            if let Some(attr) = set.get_attr(co.state.sym.to_string) {
                let (f, pos) = (attr.value.clone(), attr.pos);
                let result = co
                    .call_at(f, v.clone(), pos)
                    .await
                    .map_err(|e| e.with_frame("while calling the `__toString` attribute", pos))?;
                return Box::pin(coerce_to_string_in(co, result, mode, ctx))
                    .await
                    .map_err(|e| e.with_frame("while using the result of the `__toString` attribute", pos));
            }
            if let Some(attr) = set.get_attr(co.state.sym.out_path) {
                let (out, pos) = (attr.value.clone(), attr.pos);
                let out =
                    co.force(out).await.map_err(|e| e.with_frame("while evaluating the `outPath` attribute", pos))?;
                return Box::pin(coerce_to_string_in(co, out, mode, ctx))
                    .await
                    .map_err(|e| e.with_frame("while using the `outPath` attribute", pos));
            }
            Err(in_ctx(cannot_coerce(&co.state, &v)))
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
