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
        Value::String(s) => Ok(s.clone()),
        Value::Path(p) if matches!(mode, CoerceMode::Interpolation | CoerceMode::DrvAttr) => {
            crate::store::copy_path_to_store(state, p)
        }
        Value::Path(p) => Ok(NixString::from(&p[..])),
        Value::Attrs(_) | Value::Thunk(_) => return None,
        Value::Int(i) if mode.more() => Ok(NixString::from(int_text(*i).as_slice())),
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

/// An integer in decimal, on the stack (then copied once, at its size).
pub(crate) struct IntText {
    buf: [u8; 20],
    start: usize,
}

impl IntText {
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// "00", "01", ... "99": the two digits of each number below 100.
const DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

pub(crate) fn int_text(i: i64) -> IntText {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = i.unsigned_abs();
    // Two digits a step (half the divisions), then the last one if odd.
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        at -= 2;
        buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[n as usize * 2..n as usize * 2 + 2]);
    } else {
        at -= 1;
        buf[at] = b'0' + n as u8;
    }
    if i < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    IntText { buf, start: at }
}

/// CppNix's `coerceToString`, evaluating what it must.
pub async fn coerce_to_string(co: &Co, v: Value, mode: CoerceMode) -> EvalResult<NixString> {
    coerce_to_string_in(co, v, mode, "", None).await
}

/// CppNix's `coerceToString` with its `errorCtx`: a value that cannot be
/// coerced gets the frame `frame` at `pos` (none when `frame` is empty);
/// `__toString` and `outPath` add CppNix's frames at their attribute.
pub async fn coerce_to_string_in(
    co: &Co,
    v: Value,
    mode: CoerceMode,
    frame: &str,
    pos: Option<Pos>,
) -> EvalResult<NixString> {
    let located = |e: EvalError| if frame.is_empty() { e } else { e.with_frame(frame, pos) };
    let v = co.force(v).await?;
    // Lists go the long way, which names the failing element.
    if !matches!(v, Value::List(_)) {
        if let Some(r) = coerce_to_string_sync(&co.state, &v, mode) {
            // Copying a path fails on its own terms, without the frame.
            return match &v {
                Value::String(_) | Value::Path(_) => r,
                _ => r.map_err(located),
            };
        }
    }
    match &v {
        Value::Attrs(set) => {
            if let Some(f) = set.get_attr(co.state.sym.to_string).cloned() {
                let result = co
                    .call_at(f.value, v.clone(), f.pos)
                    .await
                    .map_err(|e| e.with_frame("while calling the `__toString` attribute", f.pos))?;
                return Box::pin(coerce_to_string_in(co, result, mode, frame, pos))
                    .await
                    .map_err(|e| e.with_frame("while using the result of the `__toString` attribute", f.pos));
            }
            if let Some(out) = set.get_attr(co.state.sym.out_path).cloned() {
                let value = co
                    .force(out.value)
                    .await
                    .map_err(|e| e.with_frame("while evaluating the `outPath` attribute", out.pos))?;
                return Box::pin(coerce_to_string_in(co, value, mode, frame, pos))
                    .await
                    .map_err(|e| e.with_frame("while using the `outPath` attribute", out.pos));
            }
            Err(located(cannot_coerce(&co.state, &v)))
        }
        Value::List(l) if mode.more() => {
            let mut out = Vec::new();
            let mut context = StringContext::new();
            let n = l.0.len();
            for (i, item) in l.0.iter().enumerate() {
                let s = async {
                    let item = co.force(item.clone()).await?;
                    let element = "while evaluating one element of the list";
                    let s = Box::pin(coerce_to_string_in(co, item.clone(), mode, element, pos)).await?;
                    Ok((item, s))
                };
                let (item, s) = s.await.map_err(located)?;
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
        Value::List(_) => Err(located(cannot_coerce(&co.state, &v))),
        _ => unreachable!("the synchronous path decides the rest"),
    }
}

/// CppNix's `coerceToPath`: a path, or something that coerces (without
/// copying) to a string holding an absolute path. Failures get `frame`.
pub async fn coerce_to_path_in(co: &Co, v: Value, frame: &str) -> EvalResult<NixString> {
    let v = co.force(v).await?;
    match &v {
        Value::Path(p) => return Ok(NixString::from(&p[..])),
        Value::Attrs(set) => {
            if let Some(f) = set.get_attr(co.state.sym.to_string).cloned() {
                let result = co
                    .call_at(f.value, v.clone(), f.pos)
                    .await
                    .map_err(|e| e.with_frame("while calling the `__toString` attribute", f.pos))?;
                return Box::pin(coerce_to_path_in(co, result, frame))
                    .await
                    .map_err(|e| e.with_frame("while using the result of the `__toString` attribute", f.pos));
            }
            if let Some(out) = set.get_attr(co.state.sym.out_path).cloned() {
                let value = co
                    .force(out.value)
                    .await
                    .map_err(|e| e.with_frame("while evaluating the `outPath` attribute", out.pos))?;
                return Box::pin(coerce_to_path_in(co, value, frame))
                    .await
                    .map_err(|e| e.with_frame("while using the `outPath` attribute", out.pos));
            }
        }
        _ => {}
    }
    let s = coerce_to_string_in(co, v, CoerceMode::PathSegment, frame, None).await?;
    if !s.as_bytes().starts_with(b"/") {
        let e = EvalError::eval(format!("string '{}' doesn't represent an absolute path", s.to_str_lossy()));
        return Err(e.with_frame(frame, None));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::int_text;

    #[test]
    fn int_text_writes_decimal_as_rust_does() {
        let mut cases = vec![0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, i64::MAX, i64::MIN, i64::MIN + 1];
        let mut n = 1i64;
        while let Some(next) = n.checked_mul(7) {
            cases.extend([next, next - 1, -next, 1 - next]);
            n = next;
        }
        cases.extend(cases.clone().iter().map(|c| c.wrapping_neg()));
        for i in cases {
            assert_eq!(int_text(i).as_slice(), i.to_string().as_bytes(), "{i}");
        }
    }
}
