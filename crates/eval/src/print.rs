//! Values as `nix-instantiate --eval` prints them.

use std::collections::HashSet;

use crate::state::EvalState;
use crate::value::{Gc, ThunkState, Value};

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

/// What is left to print: a value (with the thunk it was reached through,
/// if any), or text.
enum Task {
    Value(Value, Option<usize>),
    Text(&'static [u8]),
    Name(Vec<u8>),
}

/// Prints with a stack of tasks rather than recursion, so a value nested
/// as deep as the program likes prints on any thread.
///
/// `via` is the thunk a value was reached through, if any: CppNix keeps
/// lists of up to two elements inside the value itself, so for those the
/// identity that `«repeated»` tracks is that of the holder.
fn print_into(state: &EvalState, v: &Value, out: &mut Vec<u8>, seen: &mut HashSet<usize>, via: Option<usize>) {
    let mut tasks = vec![Task::Value(v.clone(), via)];
    while let Some(task) = tasks.pop() {
        let (v, via) = match task {
            Task::Value(v, via) => (v, via),
            Task::Text(t) => {
                out.extend_from_slice(t);
                continue;
            }
            Task::Name(name) => {
                print_attr_name(&name, out);
                out.extend_from_slice(b" = ");
                continue;
            }
        };
        match &v {
            Value::Attrs(set) => {
                if !set.is_empty() && !seen.insert(set.as_ptr() as usize) {
                    out.extend_from_slice("«repeated»".as_bytes());
                    continue;
                }
                let mut attrs: Vec<(Vec<u8>, &Value)> =
                    set.iter().map(|a| (state.name_bytes(a.name), &a.value)).collect();
                attrs.sort_by(|a, b| a.0.cmp(&b.0));
                out.extend_from_slice(b"{ ");
                tasks.push(Task::Text(b"}"));
                for (name, value) in attrs.into_iter().rev() {
                    tasks.push(Task::Text(b"; "));
                    tasks.push(Task::Value(value.clone(), None));
                    tasks.push(Task::Name(name));
                }
            }
            Value::List(list) => {
                let list_id = Gc::as_ptr(list) as *const u8 as usize;
                let id = if list.0.len() <= 2 { via.unwrap_or(list_id) } else { list_id };
                if !list.0.is_empty() && !seen.insert(id) {
                    out.extend_from_slice("«repeated»".as_bytes());
                    continue;
                }
                out.extend_from_slice(b"[ ");
                tasks.push(Task::Text(b"]"));
                for item in list.0.iter().rev() {
                    tasks.push(Task::Text(b" "));
                    tasks.push(Task::Value(item.clone(), None));
                }
            }
            Value::Thunk(t) => match t.peek() {
                Some(inner) => tasks.push(Task::Value(inner, Some(Gc::as_ptr(t) as *const u8 as usize))),
                None => out.extend_from_slice("«thunk»".as_bytes()),
            },
            other => print_scalar(other, out),
        }
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

const KEYWORDS: &[&[u8]] = &[b"if", b"then", b"else", b"assert", b"with", b"let", b"in", b"rec", b"inherit"];

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

/// A value in an error message, as CppNix's `ValuePrinter` with its
/// `errorPrintOptions`: nothing is evaluated (pending thunks print as
/// `«thunk»`), at most 10 levels deep, 10 attributes and 10 list items in
/// all, strings cut after 1024 bytes, shared sets and lists `«repeated»`.
pub fn print_for_error(state: &EvalState, v: &Value) -> String {
    let mut printer = ErrorPrinter { state, out: Vec::new(), seen: HashSet::new(), attrs: 0, items: 0 };
    printer.print(v, 0);
    String::from_utf8_lossy(&printer.out).into_owned()
}

const MAX_DEPTH: usize = 10;
const MAX_ATTRS: usize = 10;
const MAX_ITEMS: usize = 10;
const MAX_STRING: usize = 1024;

struct ErrorPrinter<'s> {
    state: &'s EvalState,
    out: Vec<u8>,
    seen: HashSet<usize>,
    /// Attributes and list items printed so far, in the whole value.
    attrs: usize,
    items: usize,
}

impl ErrorPrinter<'_> {
    fn elided(&mut self, n: usize, single: &str, plural: &str) {
        let word = if n == 1 { single } else { plural };
        self.out.extend_from_slice(format!("«{n} {word} elided»").as_bytes());
    }

    fn print(&mut self, v: &Value, depth: usize) {
        match v {
            Value::Attrs(set) => {
                if !self.seen.insert(set.as_ptr() as usize) {
                    self.out.extend_from_slice("«repeated»".as_bytes());
                    return;
                }
                if depth >= MAX_DEPTH {
                    self.out.extend_from_slice(b"{ ... }");
                    return;
                }
                let mut attrs: Vec<(Vec<u8>, &Value)> =
                    set.iter().map(|a| (self.state.name_bytes(a.name), &a.value)).collect();
                // `type` and `_type` first, as CppNix does when it may elide.
                attrs.sort_by(|a, b| {
                    let important = |n: &[u8]| n == b"type" || n == b"_type";
                    (!important(&a.0), &a.0).cmp(&(!important(&b.0), &b.0))
                });
                self.out.push(b'{');
                let total = attrs.len();
                for (printed, (name, value)) in attrs.into_iter().enumerate() {
                    self.out.push(b' ');
                    if self.attrs >= MAX_ATTRS {
                        self.elided(total - printed, "attribute", "attributes");
                        break;
                    }
                    print_attr_name(&name, &mut self.out);
                    self.out.extend_from_slice(b" = ");
                    self.print(value, depth + 1);
                    self.out.push(b';');
                    self.attrs += 1;
                }
                self.out.extend_from_slice(b" }");
            }
            Value::List(list) => {
                if !list.0.is_empty() && !self.seen.insert(Gc::as_ptr(list) as *const u8 as usize) {
                    self.out.extend_from_slice("«repeated»".as_bytes());
                    return;
                }
                if depth >= MAX_DEPTH {
                    self.out.extend_from_slice(b"[ ... ]");
                    return;
                }
                self.out.push(b'[');
                let total = list.0.len();
                for (printed, item) in list.0.iter().enumerate() {
                    self.out.push(b' ');
                    if self.items >= MAX_ITEMS {
                        self.elided(total - printed, "item", "items");
                        break;
                    }
                    self.print(item, depth + 1);
                    self.items += 1;
                }
                self.out.extend_from_slice(b" ]");
            }
            Value::Thunk(t) => {
                // SAFETY: only matches and clones.
                let state = unsafe {
                    t.inspect(|s| match s {
                        ThunkState::Done(v) => Ok(v.clone()),
                        ThunkState::Blackhole => Err(true),
                        _ => Err(false),
                    })
                };
                match state {
                    Ok(v) => self.print(&v, depth),
                    Err(true) => self.out.extend_from_slice("«potential infinite recursion»".as_bytes()),
                    Err(false) => self.out.extend_from_slice("«thunk»".as_bytes()),
                }
            }
            Value::String(s) => {
                let bytes = s.as_bytes();
                if bytes.len() > MAX_STRING {
                    print_string(&bytes[..MAX_STRING], &mut self.out);
                    self.out.push(b' ');
                    self.elided(bytes.len() - MAX_STRING, "byte", "bytes");
                } else {
                    print_string(bytes, &mut self.out);
                }
            }
            Value::Lambda(closure) => {
                let lambda = &closure.lambda;
                self.out.extend_from_slice("«lambda".as_bytes());
                if let Some(name) = lambda.name {
                    self.out.push(b' ');
                    self.out.extend_from_slice(&self.state.name_bytes(name));
                }
                self.out.extend_from_slice(b" @ ");
                self.out.extend_from_slice(self.state.show_pos(Some(lambda.pos)).as_bytes());
                self.out.extend_from_slice("»".as_bytes());
            }
            Value::PrimOp(app) => {
                let partially = if app.args.is_empty() { "" } else { "partially applied " };
                self.out.extend_from_slice(format!("«{partially}primop {}»", app.op.name).as_bytes());
            }
            other => print_scalar(other, &mut self.out),
        }
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
