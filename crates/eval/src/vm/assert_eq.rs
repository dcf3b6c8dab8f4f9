//! Why two values are not equal: CppNix's `assertEqValues`, which explains
//! a failed `assert a == b;` down to the first difference, with frames for
//! the list elements and attributes on the way.

use std::future::Future;
use std::pin::Pin;

use super::ops::is_derivation;
use super::Co;
use crate::error::{ErrorKind, EvalError, EvalResult};
use crate::print::print_for_error;
use crate::source::Pos;
use crate::value::Value;

fn differ(message: String) -> EvalError {
    EvalError::new(ErrorKind::Assertion, message)
}

/// Fails with an assertion error saying how `a` and `b` differ; succeeds
/// when they are equal after all. `pos` is the `==`'s position.
pub fn assert_eq_values(co: Co, a: Value, b: Value, pos: Option<Pos>) -> Pin<Box<dyn Future<Output = EvalResult<()>>>> {
    Box::pin(async move {
        let a = co.force(a).await?;
        let b = co.force(b).await?;
        if a.ptr_eq(&b) && !matches!(a, Value::Lambda(_) | Value::PrimOp(_)) {
            return Ok(());
        }
        let state = co.state.clone();
        let shown = |v: &Value| print_for_error(&state, v);
        let number = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_));
        if number(&a) && number(&b) {
            if super::ops::equal(&co, a.clone(), b.clone()).await? {
                return Ok(());
            }
            return Err(differ(format!(
                "{} with value '{}' is not equal to {} with value '{}'",
                a.type_description(),
                shown(&a),
                b.type_description(),
                shown(&b)
            )));
        }
        let kind = |v: &Value| match v {
            Value::PrimOp(_) => "a function",
            other => other.type_description(),
        };
        if std::mem::discriminant(&a) != std::mem::discriminant(&b)
            && !(matches!(a, Value::Lambda(_) | Value::PrimOp(_)) && matches!(b, Value::Lambda(_) | Value::PrimOp(_)))
        {
            return Err(differ(format!(
                "{} of value '{}' is not equal to {} of value '{}'",
                kind(&a),
                shown(&a),
                kind(&b),
                shown(&b)
            )));
        }
        match (&a, &b) {
            (Value::Int(x), Value::Int(y)) if x != y => {
                Err(differ(format!("integer '{x}' is not equal to integer '{y}'")))
            }
            (Value::Bool(x), Value::Bool(y)) if x != y => {
                Err(differ(format!("boolean '{}' is not equal to boolean '{}'", shown(&a), shown(&b))))
            }
            (Value::String(x), Value::String(y)) if x.as_bytes() != y.as_bytes() => {
                Err(differ(format!("string '{}' is not equal to string '{}'", shown(&a), shown(&b))))
            }
            (Value::Path(x), Value::Path(y)) if x != y => {
                Err(differ(format!("path '{}' is not equal to path '{}'", shown(&a), shown(&b))))
            }
            (Value::Float(x), Value::Float(y)) if x != y => {
                Err(differ(format!("float '{x:.6}' is not equal to float '{y:.6}'")))
            }
            (Value::Lambda(_) | Value::PrimOp(_), _) => Err(differ(
                "distinct functions and immediate comparisons of identical functions compare as unequal".into(),
            )),
            (Value::List(x), Value::List(y)) => {
                if x.0.len() != y.0.len() {
                    return Err(differ(format!(
                        "list of size '{}' is not equal to list of size '{}', left hand side is '{}', right hand side is '{}'",
                        x.0.len(),
                        y.0.len(),
                        shown(&a),
                        shown(&b)
                    )));
                }
                for (n, (p, q)) in x.0.iter().zip(y.0.iter()).enumerate() {
                    assert_eq_values(co.clone(), p.clone(), q.clone(), pos)
                        .await
                        .map_err(|e| e.with_frame(format!("while comparing list element {n}"), pos))?;
                }
                Ok(())
            }
            (Value::Attrs(x), Value::Attrs(y)) => {
                let out_path = co.state.sym.out_path;
                if is_derivation(&co, x).await? && is_derivation(&co, y).await? {
                    if let (Some(p), Some(q)) = (x.get(out_path), y.get(out_path)) {
                        return assert_eq_values(co.clone(), p.clone(), q.clone(), pos)
                            .await
                            .map_err(|e| e.with_frame("while comparing a derivation by its 'outPath' attribute", pos));
                    }
                }
                if x.len() != y.len() {
                    return Err(differ(format!(
                        "attribute names of attribute set '{}' differs from attribute set '{}'",
                        shown(&a),
                        shown(&b)
                    )));
                }
                for (i, j) in x.iter().zip(y.iter()) {
                    if i.name != j.name {
                        let name = |s| String::from_utf8_lossy(&co.state.name_bytes(s)).into_owned();
                        if y.get(i.name).is_none() {
                            return Err(differ(format!(
                                "attribute name '{}' is contained in '{}', but not in '{}'",
                                name(i.name),
                                shown(&a),
                                shown(&b)
                            )));
                        }
                        return Err(differ(format!(
                            "attribute name '{}' is missing in '{}', but is contained in '{}'",
                            name(j.name),
                            shown(&a),
                            shown(&b)
                        )));
                    }
                    if let Err(mut e) = assert_eq_values(co.clone(), i.value.clone(), j.value.clone(), pos).await {
                        if j.pos.is_some() {
                            e.push_frame("where right hand side is", j.pos);
                        }
                        if i.pos.is_some() {
                            e.push_frame("where left hand side is", i.pos);
                        }
                        let name = String::from_utf8_lossy(&co.state.name_bytes(i.name)).into_owned();
                        e.push_frame(format!("while comparing attribute '{name}'"), pos);
                        return Err(e);
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    })
}
