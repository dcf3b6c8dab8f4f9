//! Values as `nix-instantiate --eval` prints them.

use std::collections::HashSet;

use crate::state::EvalState;
use crate::value::Value;

/// Prints a value (normally fully evaluated first). Sets and lists met a
/// second time print as `«repeated»`, as in CppNix.
pub fn print_value_with(state: &EvalState, v: &Value) -> String {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    print_into(state, v, &mut out, &mut seen, None);
    String::from_utf8_lossy(&out).into_owned()
}

/// Raw bytes of the printed value (strings may hold any bytes).
pub fn print_value_bytes(state: &EvalState, v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    print_into(state, v, &mut out, &mut seen, None);
    out
}

/// `via` is the thunk the value was reached through, if any: CppNix keeps
/// lists of up to two elements inside the value itself, so for those the
/// identity that `«repeated»` tracks is that of the holder.
fn print_into(state: &EvalState, v: &Value, out: &mut Vec<u8>, seen: &mut HashSet<usize>, via: Option<usize>) {
    match v {
        Value::Attrs(set) => {
            if !set.is_empty() && !seen.insert(std::rc::Rc::as_ptr(set) as *const u8 as usize) {
                out.extend_from_slice("«repeated»".as_bytes());
                return;
            }
            let mut attrs: Vec<(Vec<u8>, &Value)> = set.iter().map(|a| (state.name_bytes(a.name), &a.value)).collect();
            attrs.sort_by(|a, b| a.0.cmp(&b.0));
            out.extend_from_slice(b"{ ");
            for (name, value) in attrs {
                print_attr_name(&name, out);
                out.extend_from_slice(b" = ");
                print_into(state, value, out, seen, None);
                out.extend_from_slice(b"; ");
            }
            out.push(b'}');
        }
        Value::List(list) => {
            let list_id = std::rc::Rc::as_ptr(list) as *const u8 as usize;
            let id = if list.0.len() <= 2 { via.unwrap_or(list_id) } else { list_id };
            if !list.0.is_empty() && !seen.insert(id) {
                out.extend_from_slice("«repeated»".as_bytes());
                return;
            }
            out.extend_from_slice(b"[ ");
            for item in &list.0 {
                print_into(state, item, out, seen, None);
                out.push(b' ');
            }
            out.push(b']');
        }
        Value::Thunk(t) => match t.value() {
            Some(v) => print_into(state, &v, out, seen, Some(std::rc::Rc::as_ptr(t) as *const u8 as usize)),
            None => out.extend_from_slice("«thunk»".as_bytes()),
        },
        other => print_scalar(other, out),
    }
}

fn print_scalar(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Float(f) => out.extend_from_slice(format_float(*f).as_bytes()),
        Value::String(s) => print_string(s.as_bytes(), out),
        Value::Path(p) => out.extend_from_slice(p),
        Value::Lambda(_) => out.extend_from_slice(b"<LAMBDA>"),
        Value::PrimOp(p) if p.args.is_empty() => out.extend_from_slice(b"<PRIMOP>"),
        Value::PrimOp(_) => out.extend_from_slice(b"<PRIMOP-APP>"),
        Value::Attrs(_) | Value::List(_) | Value::Thunk(_) => unreachable!("not a scalar"),
    }
}

/// A string literal as Nix writes it.
pub fn print_string(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'$' if bytes.get(i + 1) == Some(&b'{') => out.extend_from_slice(b"\\$"),
            b => out.push(b),
        }
        i += 1;
    }
    out.push(b'"');
}

const KEYWORDS: &[&[u8]] = &[b"if", b"then", b"else", b"assert", b"with", b"let", b"in", b"rec", b"inherit", b"or"];

pub fn print_attr_name(name: &[u8], out: &mut Vec<u8>) {
    let is_ident = !name.is_empty()
        && (name[0].is_ascii_alphabetic() || name[0] == b'_')
        && name.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'\'' | b'-'))
        && !KEYWORDS.contains(&name);
    if is_ident {
        out.extend_from_slice(name);
    } else {
        print_string(name, out);
    }
}

/// A value for an error message (no evaluation; unevaluated parts elided).
pub fn print_for_error(v: &Value) -> String {
    let mut out = Vec::new();
    print_shallow(v, &mut out, 0);
    String::from_utf8_lossy(&out).into_owned()
}

/// A value printed without a state (names unavailable): used in traces.
pub fn print_value(v: &Value) -> String {
    print_for_error(v)
}

fn print_shallow(v: &Value, out: &mut Vec<u8>, depth: usize) {
    match v {
        Value::Attrs(set) => {
            if set.is_empty() {
                out.extend_from_slice(b"{ }");
            } else {
                out.extend_from_slice("{ «".as_bytes());
                out.extend_from_slice(set.len().to_string().as_bytes());
                out.extend_from_slice(" attributes elided» }".as_bytes());
            }
        }
        Value::List(list) => {
            if list.0.is_empty() {
                out.extend_from_slice(b"[ ]");
            } else if depth > 0 {
                out.extend_from_slice("[ «".as_bytes());
                out.extend_from_slice(list.0.len().to_string().as_bytes());
                out.extend_from_slice(" items elided» ]".as_bytes());
            } else {
                out.extend_from_slice(b"[ ");
                for item in &list.0 {
                    print_shallow(item, out, depth + 1);
                    out.push(b' ');
                }
                out.push(b']');
            }
        }
        Value::Thunk(t) => match t.value() {
            Some(v) => print_shallow(&v, out, depth),
            None => out.extend_from_slice("«thunk»".as_bytes()),
        },
        other => print_scalar(other, out),
    }
}

/// A float as CppNix prints it (C++ stream defaults: `%g`, 6 digits).
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    const P: i32 = 6;
    let sci = format!("{:.*e}", (P - 1) as usize, x);
    let (mantissa, exp) = sci.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    if !(-4..P).contains(&exp) {
        let m = strip_zeros(mantissa);
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        let decimals = (P - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// `toString` of a float (`std::to_string`: `%f`).
pub fn float_to_string(x: f64) -> String {
    format!("{x:.6}")
}

#[cfg(test)]
mod tests {
    use super::format_float;

    #[test]
    fn floats_print_like_cppnix() {
        assert_eq!(format_float(3.4), "3.4");
        assert_eq!(format_float(1.0), "1");
        assert_eq!(format_float(1e20), "1e+20");
        assert_eq!(format_float(0.1 + 0.2), "0.3");
        assert_eq!(format_float(123456789.0), "1.23457e+08");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(0.00001), "1e-05");
        assert_eq!(format_float(-2.5), "-2.5");
    }
}
