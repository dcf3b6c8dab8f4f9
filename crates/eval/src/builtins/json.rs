//! `builtins.toJSON` and `builtins.fromJSON`, and `--json` output.
//!
//! The output is what CppNix's nlohmann::json `dump()` writes: objects with
//! keys in byte order, strings escaped as nlohmann does (and rejected when
//! they are not UTF-8), floats with nlohmann's Grisu2 digits. Paths are
//! given their store path (computed as `nix-store --add` would; nothing is
//! written to a store yet). `fromJSON` follows nlohmann's lexer and parser,
//! messages included.

use super::{native, PrimOp};
use crate::error::{ErrorKind, EvalError, EvalResult};
use crate::source::Pos;
use crate::state::EvalState;
use crate::symbol::Symbol;
use crate::value::{Attr, Attrs, Gc, List, NixString, StringContext, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] =
    &[native("toJSON", 1, to_json_builtin), native("fromJSON", 1, from_json_builtin)];

fn to_json_builtin(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let (bytes, context) = to_json(&co, a[0].clone(), true, true).await?;
        Ok(Value::string(NixString::new(bytes, Some(context))))
    })
}

/// `toJSON`, for `nix-instantiate --eval --json --strict`.
pub static TO_JSON: PrimOp = native("toJSON", 1, to_json_builtin);

/// `nix-instantiate --eval --json` without `--strict`: as `toJSON`, but
/// values not yet evaluated are an error ("cannot convert a thunk to
/// JSON"), as in CppNix. Not installed as a builtin; the command line calls
/// it.
pub static TO_JSON_LAZY: PrimOp = native("toJSON", 1, |co, a| {
    Box::pin(async move {
        let (bytes, context) = to_json(&co, a[0].clone(), false, true).await?;
        Ok(Value::string(NixString::new(bytes, Some(context))))
    })
});

fn from_json_builtin(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let v = co.force(a[0].clone()).await?;
        let s = string_no_context(&co.state, &v, "while evaluating the first argument passed to builtins.fromJSON")?;
        parse_json(&co.state, s.as_bytes())
    })
}

/// CppNix's `forceStringNoCtx`: a string without context.
pub(crate) fn string_no_context(state: &EvalState, v: &Value, what: &str) -> EvalResult<NixString> {
    let s = match v {
        Value::String(s) => s.clone(),
        other => return Err(crate::vm::type_error(state, "a string", other).with_frame(what, None)),
    };
    if let Some(first) = s.context().and_then(|c| c.iter().next()) {
        use crate::value::StringContextElem as E;
        let shown = match first {
            E::Opaque(p) | E::DrvDeep(p) => String::from_utf8_lossy(p).into_owned(),
            E::Built { drv, output } => {
                format!("{}^{}", String::from_utf8_lossy(drv), String::from_utf8_lossy(output))
            }
        };
        return Err(EvalError::eval(format!(
            "the string '{}' is not allowed to refer to a store path (such as '{shown}')",
            s.to_str_lossy()
        ))
        .with_frame(what, None));
    }
    Ok(s)
}

/// A container being written: its remaining members and where it came from.
enum Open {
    /// A set, written in the byte order of its names: `order` holds the
    /// attributes' indices in that order (empty when it is the set's own).
    Object {
        set: Attrs,
        order: std::rc::Rc<[u32]>,
        next: usize,
    },
    List {
        items: Gc<List>,
        next: usize,
        pos: Option<Pos>,
    },
}

/// The first string that is not UTF-8: nlohmann fails when it writes the
/// document, that is after every value has been evaluated.
struct Utf8Failure(String);

/// The text written so far, the context of its strings, and the first
/// string that was not UTF-8.
struct Doc {
    out: Vec<u8>,
    context: StringContext,
    utf8: Option<Utf8Failure>,
    orders: OrderCache,
}

/// The byte order of the names of recently written sets, by their
/// symbols: the sets in a list mostly have the same names, which are then
/// not sorted again. Direct-mapped by the set's size and first name.
#[derive(Default)]
struct OrderCache {
    slots: [Option<KnownOrder>; 16],
}

/// The names of a set, in symbol order, and their byte order (see
/// [`OrderCache::order`]).
type KnownOrder = (Box<[Symbol]>, std::rc::Rc<[u32]>);

impl OrderCache {
    /// The set's attribute indices in the byte order of their names (empty
    /// when that is their own order).
    fn order(&mut self, state: &EvalState, set: &Attrs) -> std::rc::Rc<[u32]> {
        let first = set.iter().next().map_or(0, |a| a.name.index() as usize);
        let slot = &mut self.slots[(set.len().wrapping_mul(31).wrapping_add(first)) % 16];
        if let Some((names, order)) = slot {
            if set.iter().map(|a| a.name).eq(names.iter().copied()) {
                return order.clone();
            }
        }
        let order: std::rc::Rc<[u32]> = state.with_names(|names| {
            let name = |i: u32| names.resolve(set.at(i as usize).name);
            if set.iter().is_sorted_by(|a, b| names.resolve(a.name) <= names.resolve(b.name)) {
                return std::rc::Rc::from([]);
            }
            let mut order: Vec<u32> = (0..set.len() as u32).collect();
            // Names in a set are distinct: no ties to keep in order.
            order.sort_unstable_by(|&a, &b| name(a).cmp(name(b)));
            order.into()
        });
        *slot = Some((set.iter().map(|a| a.name).collect(), order.clone()));
        order
    }
}

/// `v` as JSON text with the context of its strings, as CppNix's
/// `printValueAsJSON` (strict) writes it. `copy_to_store` gives paths
/// their store path; otherwise a path is its own text.
///
/// Without `strict`, nothing is evaluated but what `__toString` and
/// `outPath` need, and an unevaluated value is an error.
pub async fn to_json(co: &Co, v: Value, strict: bool, copy_to_store: bool) -> EvalResult<(Vec<u8>, StringContext)> {
    let mut doc = Doc { out: Vec::new(), context: StringContext::new(), utf8: None, orders: OrderCache::default() };
    let mut stack: Vec<Open> = Vec::new();
    // CppNix counts a call per level from where it is: beneath this
    // routine's own call (`toJSON`'s, `derivationStrict`'s) lie the
    // calls of the evaluation so far.
    let limit = co.state.settings.max_call_depth;
    let depth = |open: usize| co.state.native_call_depth.get() + 1 + open + 1;
    let mut next = Some((v, None));
    loop {
        if let Some((v, pos)) = next.take() {
            // A value that needs evaluating (or is a set that `__toString`
            // or `outPath` stand for) takes the asynchronous path.
            let r = if depth(stack.len()) > limit {
                Err(too_deep(pos))
            } else {
                // Forced here rather than inside `emit`: one future less
                // to build and poll for each value to evaluate.
                let forced = if strict { co.force(v).await } else { Ok(v.peek().unwrap_or(v)) };
                match forced {
                    Ok(v) if !needs_peeling(&co.state, &v) => write_value(&co.state, &v, pos, copy_to_store, &mut doc),
                    Ok(v) => emit(co, v, pos, strict, copy_to_store, &mut doc).await,
                    Err(e) => Err(e),
                }
            };
            match r {
                Ok(Some(open)) => stack.push(open),
                Ok(None) => {}
                Err(e) => return Err(add_frames(&co.state, e, &stack)),
            }
        }
        // The members of the open containers, written at once while they
        // are known without evaluating anything.
        while next.is_none() {
            let Some(top) = stack.last_mut() else { break };
            let (member, pos) = match top {
                Open::Object { set, order, next: i } => {
                    if *i == set.len() {
                        doc.out.push(b'}');
                        stack.pop();
                        continue;
                    }
                    if *i > 0 {
                        doc.out.push(b',');
                    }
                    let attr = object_member(set, order, *i);
                    let r = co.state.with_names(|names| escape_string(names.resolve(attr.name), &mut doc.out));
                    if let Err(msg) = r {
                        doc.utf8.get_or_insert(Utf8Failure(msg));
                    }
                    doc.out.push(b':');
                    *i += 1;
                    (&attr.value, attr.pos)
                }
                Open::List { items, next: i, pos } => {
                    if *i == items.0.len() {
                        doc.out.push(b']');
                        stack.pop();
                        continue;
                    }
                    if *i > 0 {
                        doc.out.push(b',');
                    }
                    *i += 1;
                    (&items.0[*i - 1], *pos)
                }
            };
            match known_for_json(&co.state, member, strict) {
                Some(known) => {
                    let r = if depth(stack.len()) > limit {
                        Err(too_deep(pos))
                    } else {
                        write_value(&co.state, &known, pos, copy_to_store, &mut doc)
                    };
                    match r {
                        Ok(Some(open)) => stack.push(open),
                        Ok(None) => {}
                        Err(e) => return Err(add_frames(&co.state, e, &stack)),
                    }
                }
                None => next = Some((member.clone(), pos)),
            }
        }
        if next.is_none() {
            break;
        }
    }
    if let Some(Utf8Failure(msg)) = doc.utf8 {
        return Err(EvalError::eval(format!("JSON serialization error: {msg}")));
    }
    Ok((doc.out, doc.context))
}

fn too_deep(pos: Option<Pos>) -> EvalError {
    let mut e = EvalError::new(ErrorKind::StackOverflow, "stack overflow; max-call-depth exceeded");
    e.pos = pos;
    e
}

/// The `… while evaluating attribute 'x'` frames of the open containers,
/// innermost first.
fn add_frames(state: &EvalState, mut e: EvalError, stack: &[Open]) -> EvalError {
    for open in stack.iter().rev() {
        match open {
            Open::Object { set, order, next } => {
                let attr = object_member(set, order, next - 1);
                e = e.with_frame(format!("while evaluating attribute '{}'", state.name(attr.name)), attr.pos);
            }
            Open::List { next, pos, .. } => {
                e = e.with_frame(format!("while evaluating list element at index {}", next - 1), *pos);
            }
        }
    }
    e
}

/// The `i`th attribute of an object being written.
fn object_member<'a>(set: &'a Attrs, order: &[u32], i: usize) -> &'a Attr {
    let i = order.get(i).map_or(i, |&j| j as usize);
    set.at(i)
}

/// Writes a scalar, or opens a container (returned for the caller to fill).
async fn emit(
    co: &Co,
    v: Value,
    pos: Option<Pos>,
    strict: bool,
    copy_to_store: bool,
    doc: &mut Doc,
) -> EvalResult<Option<Open>> {
    let mut v = if strict { co.force(v).await? } else { v.peek().unwrap_or(v) };
    let mut copy = copy_to_store;
    if let Value::Attrs(_) = v {
        let (peeled, through_to_string) = peel(co, v, pos).await?;
        v = peeled;
        // A path that a `__toString` returned is written as it is.
        copy = copy_to_store && !through_to_string;
    }
    write_value(&co.state, &v, pos, copy, doc)
}

/// Whether `v` (evaluated) is a set that `__toString` or `outPath` stands
/// for, which [`peel`] follows.
fn needs_peeling(state: &EvalState, v: &Value) -> bool {
    matches!(v, Value::Attrs(set) if set.get(state.sym.to_string).is_some() || set.get(state.sym.out_path).is_some())
}

/// The value to write when it is known without evaluating anything: not a
/// thunk still to run (under `strict`), not a set with `__toString` or
/// `outPath` (which [`peel`] follows). Otherwise `None`.
fn known_for_json(state: &EvalState, v: &Value, strict: bool) -> Option<Value> {
    let v = match v {
        Value::Thunk(t) if strict => t.value()?,
        Value::Thunk(t) => t.peek().unwrap_or_else(|| v.clone()),
        v => v.clone(),
    };
    (!needs_peeling(state, &v)).then_some(v)
}

/// Writes a value already evaluated (and peeled), or opens a container.
fn write_value(state: &EvalState, v: &Value, pos: Option<Pos>, copy: bool, doc: &mut Doc) -> EvalResult<Option<Open>> {
    let Doc { out, context, utf8, orders } = doc;
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Int(i) => out.extend_from_slice(crate::coerce::int_text(*i).as_slice()),
        Value::Float(f) => out.extend_from_slice(format_float(*f).as_bytes()),
        Value::String(s) => {
            if let Some(c) = s.context() {
                context.extend(c.iter().cloned());
            }
            if let Err(msg) = escape_string(s.as_bytes(), out) {
                utf8.get_or_insert(Utf8Failure(msg));
            }
        }
        Value::Path(p) => {
            let s = if copy { crate::store::copy_path_to_store(state, p)? } else { NixString::from(&p[..]) };
            if let Some(c) = s.context() {
                context.extend(c.iter().cloned());
            }
            if let Err(msg) = escape_string(s.as_bytes(), out) {
                utf8.get_or_insert(Utf8Failure(msg));
            }
        }
        Value::Attrs(set) => {
            out.push(b'{');
            let order = orders.order(state, set);
            return Ok(Some(Open::Object { set: set.clone(), order, next: 0 }));
        }
        Value::List(l) => {
            out.push(b'[');
            return Ok(Some(Open::List { items: l.clone(), next: 0, pos }));
        }
        Value::Lambda(closure) => {
            let mut e = EvalError::eval(format!("cannot convert {} to JSON", v.type_description()));
            e.pos = Some(closure.lambda.pos);
            return Err(e);
        }
        Value::PrimOp(p) => {
            let what =
                if p.args.is_empty() { "the built-in function" } else { "the partially applied built-in function" };
            let mut e = EvalError::eval(format!("cannot convert {what} '{}' to JSON", p.op.name));
            e.pos = pos;
            return Err(e);
        }
        Value::Thunk(_) => {
            let mut e = EvalError::eval(format!("cannot convert {} to JSON", v.type_description()));
            e.pos = pos;
            return Err(e);
        }
    }
    Ok(None)
}

/// CppNix's `peelToStringOutPath` (checking what `__toString` returns):
/// follows `__toString` (called) before `outPath` until a value that is not
/// a set with either. Also says whether a `__toString` was called.
pub async fn peel(co: &Co, v: Value, pos: Option<Pos>) -> EvalResult<(Value, bool)> {
    // Frames to add, outermost first, should a later step fail.
    let mut frames: Vec<(&'static str, Option<Pos>)> = Vec::new();
    let r = peel_steps(co, v, pos, &mut frames).await;
    r.map_err(|mut e| {
        for (msg, pos) in frames.iter().rev() {
            e = e.with_frame(*msg, *pos);
        }
        e
    })
}

async fn peel_steps(
    co: &Co,
    v: Value,
    pos: Option<Pos>,
    frames: &mut Vec<(&'static str, Option<Pos>)>,
) -> EvalResult<(Value, bool)> {
    let state = &co.state;
    let mut v = co.force(v).await?;
    let mut pos = pos;
    let mut through = false;
    loop {
        let Value::Attrs(set) = &v else {
            if through && !matches!(v, Value::String(_) | Value::Path(_)) {
                let mut e = EvalError::eval(format!(
                    "`__toString` should return a string, but got {}: {}",
                    v.type_description(),
                    crate::print::print_value_with(state, &v)
                ));
                e.pos = pos;
                return Err(e);
            }
            return Ok((v, through));
        };
        if let Some(attr) = set.get_attr(state.sym.to_string) {
            let (f, apos) = (attr.value.clone(), attr.pos);
            let r = co
                .call(f, v.clone())
                .await
                .map_err(|e| e.with_frame("while calling the `__toString` attribute", apos))?;
            through = true;
            frames.push(("while using the result of the `__toString` attribute", apos));
            v = r;
            pos = apos;
            continue;
        }
        if let Some(attr) = set.get_attr(state.sym.out_path) {
            let apos = attr.pos;
            let r = co
                .force(attr.value.clone())
                .await
                .map_err(|e| e.with_frame("while evaluating the `outPath` attribute", apos))?;
            frames.push(("while using the `outPath` attribute", apos));
            v = r;
            pos = apos;
            continue;
        }
        if through {
            let mut e = EvalError::eval(format!(
                "`__toString` must return a string, but got {}: {}",
                v.type_description(),
                crate::print::print_value_with(state, &v)
            ));
            e.pos = pos;
            return Err(e);
        }
        return Ok((v, through));
    }
}

/// `s` as a JSON string literal, quotes included.
pub(super) fn quote(s: &str) -> String {
    let mut out = Vec::new();
    // Escaping only fails on invalid UTF-8, which a `&str` is not.
    let _ = escape_string(s.as_bytes(), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes a JSON string literal as nlohmann's `dump()` does (UTF-8 kept,
/// control characters escaped). Invalid UTF-8 gives nlohmann's message.
pub fn escape_string(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    // Most strings are printable ASCII without quotes or backslashes: valid
    // UTF-8 and copied as they are, found in one pass.
    if bytes.iter().all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\') {
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return Ok(());
    }
    out.push(b'"');
    let r = validate_utf8(bytes);
    let mut rest = bytes;
    loop {
        // Copy the run that needs no escaping at once.
        let n = rest.iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\').unwrap_or(rest.len());
        out.extend_from_slice(&rest[..n]);
        let Some((&b, tail)) = rest[n..].split_first() else { break };
        rest = tail;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
    r
}

/// nlohmann's UTF-8 check: the index and value of the first byte that makes
/// the text invalid, or the last byte when it ends inside a character.
fn validate_utf8(bytes: &[u8]) -> Result<(), String> {
    let Err(e) = std::str::from_utf8(bytes) else { return Ok(()) };
    let bad = e.valid_up_to();
    if e.error_len().is_none() {
        return Err(format!(
            "[json.exception.type_error.316] incomplete UTF-8 string; last byte: 0x{:02X}",
            bytes[bytes.len() - 1]
        ));
    }
    let at = bad + first_rejected(&bytes[bad..]);
    Err(format!("[json.exception.type_error.316] invalid UTF-8 byte at index {at}: 0x{:02X}", bytes[at]))
}

/// Where, in a sequence starting at an invalid character, a byte-at-a-time
/// decoder (as nlohmann's) first rejects: the lead byte itself when it
/// cannot start a character, otherwise the first bad continuation.
fn first_rejected(s: &[u8]) -> usize {
    let lead = s[0];
    let (len, lo, hi) = match lead {
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0 => (3, 0xa0, 0xbf),
        0xe1..=0xec | 0xee..=0xef => (3, 0x80, 0xbf),
        0xed => (3, 0x80, 0x9f),
        0xf0 => (4, 0x90, 0xbf),
        0xf1..=0xf3 => (4, 0x80, 0xbf),
        0xf4 => (4, 0x80, 0x8f),
        _ => return 0,
    };
    for k in 1..len {
        let Some(&b) = s.get(k) else { return k };
        let (l, h) = if k == 1 { (lo, hi) } else { (0x80, 0xbf) };
        if b < l || b > h {
            return k;
        }
    }
    0
}

/// A float as nlohmann's `dump()` writes it: Grisu2's digits (they read
/// back the same; nearly always the shortest), `1.0` style for integral
/// values, exponents as `1e+20`, `null` for infinities and NaN.
pub fn format_float(x: f64) -> String {
    if !x.is_finite() {
        return "null".to_string();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let mut s = String::new();
    if x < 0.0 {
        s.push('-');
    }
    let (digits, decimal_exponent) = grisu2(x.abs());
    let digits = String::from_utf8(digits).expect("digits");
    let k = digits.len() as i32;
    let n = k + decimal_exponent; // the decimal point's place after the first digit
    const MIN_EXP: i32 = -4;
    const MAX_EXP: i32 = 15;
    if k <= n && n <= MAX_EXP {
        s.push_str(&digits);
        s.push_str(&"0".repeat((n - k) as usize));
        s.push_str(".0");
    } else if 0 < n && n <= MAX_EXP {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if MIN_EXP < n && n <= 0 {
        s.push_str("0.");
        s.push_str(&"0".repeat((-n) as usize));
        s.push_str(&digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let e = n - 1;
        s.push('e');
        s.push(if e < 0 { '-' } else { '+' });
        let e = e.unsigned_abs();
        if e < 10 {
            s.push('0');
        }
        s.push_str(&e.to_string());
    }
    s
}

/// A floating-point number as a 64-bit significand and a binary exponent.
#[derive(Clone, Copy)]
struct DiyFp {
    f: u64,
    e: i32,
}

impl DiyFp {
    fn mul(self, y: DiyFp) -> DiyFp {
        let p = (self.f as u128) * (y.f as u128) + (1u128 << 63);
        DiyFp { f: (p >> 64) as u64, e: self.e + y.e + 64 }
    }

    fn normalize(self) -> DiyFp {
        let shift = self.f.leading_zeros();
        DiyFp { f: self.f << shift, e: self.e - shift as i32 }
    }
}

/// Normalized 64-bit approximations (rounded to nearest) of 10^k for k =
/// -300, -292, ..., 324: `(significand, binary exponent, k)`. Computed
/// exactly with rational arithmetic.
const CACHED_POWERS: [(u64, i32, i32); 79] = [
    (0xAB70FE17C79AC6CA, -1060, -300),
    (0xFF77B1FCBEBCDC4F, -1034, -292),
    (0xBE5691EF416BD60C, -1007, -284),
    (0x8DD01FAD907FFC3C, -980, -276),
    (0xD3515C2831559A83, -954, -268),
    (0x9D71AC8FADA6C9B5, -927, -260),
    (0xEA9C227723EE8BCB, -901, -252),
    (0xAECC49914078536D, -874, -244),
    (0x823C12795DB6CE57, -847, -236),
    (0xC21094364DFB5637, -821, -228),
    (0x9096EA6F3848984F, -794, -220),
    (0xD77485CB25823AC7, -768, -212),
    (0xA086CFCD97BF97F4, -741, -204),
    (0xEF340A98172AACE5, -715, -196),
    (0xB23867FB2A35B28E, -688, -188),
    (0x84C8D4DFD2C63F3B, -661, -180),
    (0xC5DD44271AD3CDBA, -635, -172),
    (0x936B9FCEBB25C996, -608, -164),
    (0xDBAC6C247D62A584, -582, -156),
    (0xA3AB66580D5FDAF6, -555, -148),
    (0xF3E2F893DEC3F126, -529, -140),
    (0xB5B5ADA8AAFF80B8, -502, -132),
    (0x87625F056C7C4A8B, -475, -124),
    (0xC9BCFF6034C13053, -449, -116),
    (0x964E858C91BA2655, -422, -108),
    (0xDFF9772470297EBD, -396, -100),
    (0xA6DFBD9FB8E5B88F, -369, -92),
    (0xF8A95FCF88747D94, -343, -84),
    (0xB94470938FA89BCF, -316, -76),
    (0x8A08F0F8BF0F156B, -289, -68),
    (0xCDB02555653131B6, -263, -60),
    (0x993FE2C6D07B7FAC, -236, -52),
    (0xE45C10C42A2B3B06, -210, -44),
    (0xAA242499697392D3, -183, -36),
    (0xFD87B5F28300CA0E, -157, -28),
    (0xBCE5086492111AEB, -130, -20),
    (0x8CBCCC096F5088CC, -103, -12),
    (0xD1B71758E219652C, -77, -4),
    (0x9C40000000000000, -50, 4),
    (0xE8D4A51000000000, -24, 12),
    (0xAD78EBC5AC620000, 3, 20),
    (0x813F3978F8940984, 30, 28),
    (0xC097CE7BC90715B3, 56, 36),
    (0x8F7E32CE7BEA5C70, 83, 44),
    (0xD5D238A4ABE98068, 109, 52),
    (0x9F4F2726179A2245, 136, 60),
    (0xED63A231D4C4FB27, 162, 68),
    (0xB0DE65388CC8ADA8, 189, 76),
    (0x83C7088E1AAB65DB, 216, 84),
    (0xC45D1DF942711D9A, 242, 92),
    (0x924D692CA61BE758, 269, 100),
    (0xDA01EE641A708DEA, 295, 108),
    (0xA26DA3999AEF774A, 322, 116),
    (0xF209787BB47D6B85, 348, 124),
    (0xB454E4A179DD1877, 375, 132),
    (0x865B86925B9BC5C2, 402, 140),
    (0xC83553C5C8965D3D, 428, 148),
    (0x952AB45CFA97A0B3, 455, 156),
    (0xDE469FBD99A05FE3, 481, 164),
    (0xA59BC234DB398C25, 508, 172),
    (0xF6C69A72A3989F5C, 534, 180),
    (0xB7DCBF5354E9BECE, 561, 188),
    (0x88FCF317F22241E2, 588, 196),
    (0xCC20CE9BD35C78A5, 614, 204),
    (0x98165AF37B2153DF, 641, 212),
    (0xE2A0B5DC971F303A, 667, 220),
    (0xA8D9D1535CE3B396, 694, 228),
    (0xFB9B7CD9A4A7443C, 720, 236),
    (0xBB764C4CA7A44410, 747, 244),
    (0x8BAB8EEFB6409C1A, 774, 252),
    (0xD01FEF10A657842C, 800, 260),
    (0x9B10A4E5E9913129, 827, 268),
    (0xE7109BFBA19C0C9D, 853, 276),
    (0xAC2820D9623BF429, 880, 284),
    (0x80444B5E7AA7CF85, 907, 292),
    (0xBF21E44003ACDD2D, 933, 300),
    (0x8E679C2F5E44FF8F, 960, 308),
    (0xD433179D9C8CB841, 986, 316),
    (0x9E19DB92B4E31BA9, 1013, 324),
];

/// The digits and decimal exponent that Grisu2 (as nlohmann::json
/// implements it) gives for a positive finite `value`: `digits * 10^exp`.
/// Nearly always the shortest that reads back the same.
fn grisu2(value: f64) -> (Vec<u8>, i32) {
    const HIDDEN: u64 = 1 << 52;
    let bits = value.to_bits();
    let biased_e = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & (HIDDEN - 1);
    let v = if biased_e == 0 {
        DiyFp { f: fraction, e: 1 - 1075 }
    } else {
        DiyFp { f: fraction + HIDDEN, e: biased_e - 1075 }
    };
    let lower_boundary_is_closer = fraction == 0 && biased_e > 1;
    let m_plus = DiyFp { f: 2 * v.f + 1, e: v.e - 1 }.normalize();
    let m_minus = if lower_boundary_is_closer {
        DiyFp { f: 4 * v.f - 1, e: v.e - 2 }
    } else {
        DiyFp { f: 2 * v.f - 1, e: v.e - 1 }
    };
    let m_minus = DiyFp { f: m_minus.f << (m_minus.e - m_plus.e), e: m_plus.e };
    let w = v.normalize();

    // A cached power that brings the exponent into [-60, -32].
    let f = -60 - m_plus.e - 1;
    let k = (f * 78913) / (1 << 18) + i32::from(f > 0);
    let index = ((300 + k + 7) / 8) as usize;
    let (cf, ce, ck) = CACHED_POWERS[index];
    let c = DiyFp { f: cf, e: ce };
    let w = w.mul(c);
    let w_minus = m_minus.mul(c);
    let w_plus = m_plus.mul(c);
    let lo = DiyFp { f: w_minus.f + 1, e: w_minus.e };
    let hi = DiyFp { f: w_plus.f - 1, e: w_plus.e };
    let mut exp = -ck;

    // Digit generation.
    let mut buf = Vec::with_capacity(17);
    let mut delta = hi.f - lo.f;
    let mut dist = hi.f - w.f;
    let one_e = -hi.e as u32;
    let one_f = 1u64 << one_e;
    let mut p1 = (hi.f >> one_e) as u32;
    let mut p2 = hi.f & (one_f - 1);
    let (mut n, mut pow10): (i32, u32) = match p1 {
        1_000_000_000.. => (10, 1_000_000_000),
        100_000_000.. => (9, 100_000_000),
        10_000_000.. => (8, 10_000_000),
        1_000_000.. => (7, 1_000_000),
        100_000.. => (6, 100_000),
        10_000.. => (5, 10_000),
        1000.. => (4, 1000),
        100.. => (3, 100),
        10.. => (2, 10),
        _ => (1, 1),
    };
    while n > 0 {
        let d = p1 / pow10;
        p1 %= pow10;
        buf.push(b'0' + d as u8);
        n -= 1;
        let rest = ((p1 as u64) << one_e) + p2;
        if rest <= delta {
            exp += n;
            grisu2_round(&mut buf, dist, delta, rest, (pow10 as u64) << one_e);
            return (buf, exp);
        }
        pow10 /= 10;
    }
    let mut m = 0;
    loop {
        p2 *= 10;
        let d = p2 >> one_e;
        p2 &= one_f - 1;
        buf.push(b'0' + d as u8);
        m += 1;
        delta *= 10;
        dist *= 10;
        if p2 <= delta {
            break;
        }
    }
    exp -= m;
    grisu2_round(&mut buf, dist, delta, p2, one_f);
    (buf, exp)
}

fn grisu2_round(buf: &mut [u8], dist: u64, delta: u64, mut rest: u64, ten_k: u64) {
    while rest < dist && delta - rest >= ten_k && (rest + ten_k < dist || dist - rest > rest + ten_k - dist) {
        *buf.last_mut().expect("a digit") -= 1;
        rest += ten_k;
    }
}

/// CppNix's `forceNoNullByte`.
pub(super) fn no_nul(s: &[u8]) -> EvalResult<()> {
    if s.contains(&0) {
        let shown = String::from_utf8_lossy(s).replace('\0', "\u{2400}");
        return Err(EvalError::eval(format!(
            "input string '{shown}' cannot be represented as Nix string because it contains null bytes"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Parsing: nlohmann::json's lexer and parser, so that errors read the same
// (line and column, `last read: '...'`). Iterative: nesting depth costs
// heap, not stack.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    BeginArray,
    EndArray,
    BeginObject,
    EndObject,
    NameSeparator,
    ValueSeparator,
    True,
    False,
    Null,
    Str,
    Number,
    EndOfInput,
    ParseError,
    /// Only as an expectation: a value.
    LiteralOrValue,
    /// Only as an expectation: nothing in particular.
    Uninitialized,
}

fn token_name(t: Token) -> &'static str {
    match t {
        Token::BeginArray => "'['",
        Token::EndArray => "']'",
        Token::BeginObject => "'{'",
        Token::EndObject => "'}'",
        Token::NameSeparator => "':'",
        Token::ValueSeparator => "','",
        Token::True => "true literal",
        Token::False => "false literal",
        Token::Null => "null literal",
        Token::Str => "string literal",
        Token::Number => "number literal",
        Token::EndOfInput => "end of input",
        Token::ParseError => "<parse error>",
        Token::LiteralOrValue => "'[', '{', or a literal",
        Token::Uninitialized => "<uninitialized>",
    }
}

const CONTROL_NAMES: [&str; 32] = [
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI", "DLE",
    "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
];

enum Number {
    Unsigned(u64),
    Integer(i64),
    Float(f64),
}

struct Lexer<'a> {
    s: &'a [u8],
    /// The index of the next byte to read; reads past the end (nlohmann
    /// counts them) take it beyond `s.len()`.
    next: usize,
    /// `None` at the end of the input.
    current: Option<u8>,
    next_unget: bool,
    /// Where nlohmann's `token_string` (what was read since the last string
    /// or number began, for messages) starts in the input: it is always
    /// the bytes from here to [`Lexer::pos`], so it is not copied as
    /// nlohmann's is.
    token_start: usize,
    error: String,
    /// The text of the last string, when it had to be decoded; see
    /// [`Lexer::string`].
    string: Vec<u8>,
    /// Where the text of the last string is in the input, when it could be
    /// taken as it is (no escapes); then `string` is not written.
    verbatim: Option<(usize, usize)>,
    /// Whether the last string had a `\u` escape, the only way it can
    /// hold a NUL (a raw one is an error).
    escaped: bool,
    number: Number,
}

impl<'a> Lexer<'a> {
    /// nlohmann's `get`. Its position counters (characters read, line,
    /// column) are worked out from [`Lexer::pos`] when a message needs
    /// them ([`Lexer::line_column`]), not kept per character.
    #[inline(always)]
    fn get(&mut self) -> Option<u8> {
        if self.next_unget {
            self.next_unget = false;
        } else {
            self.current = self.s.get(self.next).copied();
            self.next += 1;
        }
        self.current
    }

    #[inline(always)]
    fn unget(&mut self) {
        self.next_unget = true;
    }

    /// How many characters have been read (nlohmann's `chars_read_total`,
    /// reads past the end included).
    fn pos(&self) -> usize {
        self.next - usize::from(self.next_unget)
    }

    /// nlohmann's `token_string`.
    fn token_string(&self) -> &'a [u8] {
        let s: &'a [u8] = self.s;
        let end = self.pos().min(s.len());
        &s[self.token_start.min(end)..end]
    }

    /// nlohmann's line (from 0) and column, as its counters would have them:
    /// a newline starts a line at column 0, every other read (past the end
    /// too) adds a column, and taking back a newline goes back a line but
    /// leaves the column at 0.
    fn line_column(&self) -> (usize, usize) {
        let pos = self.pos();
        let read = &self.s[..pos.min(self.s.len())];
        let line = read.iter().filter(|&&c| c == b'\n').count();
        let column = if self.next_unget && self.current == Some(b'\n') {
            0
        } else {
            pos - read.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1)
        };
        (line, column)
    }

    fn reset(&mut self) {
        self.string.clear();
        // The current character starts the token string (nothing at the
        // end of the input, which the slice leaves out anyway).
        self.token_start = self.pos() - 1;
    }

    fn fail(&mut self, msg: impl Into<String>) -> Token {
        self.error = msg.into();
        Token::ParseError
    }

    fn scan(&mut self) -> Token {
        if self.pos() == 0 && !self.skip_bom() {
            return self.fail("invalid BOM; must be 0xEF 0xBB 0xBF if given");
        }
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.get() {}
        match self.current {
            Some(b'[') => Token::BeginArray,
            Some(b']') => Token::EndArray,
            Some(b'{') => Token::BeginObject,
            Some(b'}') => Token::EndObject,
            Some(b':') => Token::NameSeparator,
            Some(b',') => Token::ValueSeparator,
            Some(b't') => self.literal(b"true", Token::True),
            Some(b'f') => self.literal(b"false", Token::False),
            Some(b'n') => self.literal(b"null", Token::Null),
            Some(b'"') => self.scan_string(),
            Some(b'-' | b'0'..=b'9') => self.scan_number(),
            None | Some(0) => Token::EndOfInput,
            Some(_) => self.fail("invalid literal"),
        }
    }

    /// Reads past a byte order mark at the start, if there is one; false
    /// when it is broken.
    #[cold]
    fn skip_bom(&mut self) -> bool {
        if self.get() == Some(0xef) {
            return self.get() == Some(0xbb) && self.get() == Some(0xbf);
        }
        self.unget();
        true
    }

    #[inline(never)]
    fn literal(&mut self, text: &[u8], t: Token) -> Token {
        for &c in &text[1..] {
            if self.get() != Some(c) {
                return self.fail("invalid literal");
            }
        }
        t
    }

    fn codepoint(&mut self) -> Option<u32> {
        let mut n = 0;
        for _ in 0..4 {
            let d = self.get().and_then(|c| (c as char).to_digit(16))?;
            n = n * 16 + d;
        }
        Some(n)
    }

    /// Reads past ASCII digits, as `get` until something else would (the
    /// last digit is then current).
    fn digit_run(&mut self) {
        if self.next_unget {
            return;
        }
        let rest = self.s.get(self.next..).unwrap_or_default();
        let n = rest.iter().position(|c| !c.is_ascii_digit()).unwrap_or(rest.len());
        if n > 0 {
            self.current = Some(rest[n - 1]);
            self.next += n;
        }
    }

    /// Takes a run of plain characters (printable ASCII but the quote and
    /// the backslash) at once, as that many `get`s would.
    fn plain_run(&mut self) {
        if self.next_unget {
            return;
        }
        let rest = self.s.get(self.next..).unwrap_or_default();
        let n = rest.iter().position(|&c| !(0x20..=0x7f).contains(&c) || c == b'"' || c == b'\\').unwrap_or(rest.len());
        if n == 0 {
            return;
        }
        let run = &rest[..n];
        self.string.extend_from_slice(run);
        self.current = Some(run[n - 1]);
        self.next += n;
    }

    #[inline(never)]
    fn scan_string(&mut self) -> Token {
        self.reset();
        self.escaped = false;
        self.verbatim = None;
        // Most strings are plain characters up to the closing quote: their
        // text is the input's, read as that many `get`s would.
        if !self.next_unget {
            let start = self.next;
            let rest = self.s.get(start..).unwrap_or_default();
            let n = rest.iter().position(|&c| !(0x20..=0x7f).contains(&c) || c == b'"' || c == b'\\');
            if let Some(n) = n.filter(|&n| rest[n] == b'"') {
                self.current = Some(b'"');
                self.next += n + 1;
                self.verbatim = Some((start, start + n));
                return Token::Str;
            }
        }
        loop {
            self.plain_run();
            let Some(c) = self.get() else { return self.fail("invalid string: missing closing quote") };
            match c {
                b'"' => return Token::Str,
                b'\\' => {
                    let e = self.get();
                    let simple = match e {
                        Some(b'"') => Some(b'"'),
                        Some(b'\\') => Some(b'\\'),
                        Some(b'/') => Some(b'/'),
                        Some(b'b') => Some(0x08),
                        Some(b'f') => Some(0x0c),
                        Some(b'n') => Some(b'\n'),
                        Some(b'r') => Some(b'\r'),
                        Some(b't') => Some(b'\t'),
                        Some(b'u') => None,
                        _ => return self.fail("invalid string: forbidden character after backslash"),
                    };
                    if let Some(b) = simple {
                        self.string.push(b);
                        continue;
                    }
                    self.escaped = true;
                    let bad_hex = "invalid string: '\\u' must be followed by 4 hex digits";
                    let Some(hi) = self.codepoint() else { return self.fail(bad_hex) };
                    let cp = if (0xd800..=0xdbff).contains(&hi) {
                        if self.get() == Some(b'\\') && self.get() == Some(b'u') {
                            let Some(lo) = self.codepoint() else { return self.fail(bad_hex) };
                            if !(0xdc00..=0xdfff).contains(&lo) {
                                return self.fail(
                                    "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF",
                                );
                            }
                            0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                        } else {
                            return self
                                .fail("invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF");
                        }
                    } else if (0xdc00..=0xdfff).contains(&hi) {
                        return self.fail("invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF");
                    } else {
                        hi
                    };
                    let ch = char::from_u32(cp).expect("a scalar value");
                    let mut buf = [0; 4];
                    self.string.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => {
                    let also = match c {
                        0x08 => " or \\b",
                        0x09 => " or \\t",
                        0x0a => " or \\n",
                        0x0c => " or \\f",
                        0x0d => " or \\r",
                        _ => "",
                    };
                    return self.fail(format!(
                        "invalid string: control character U+{c:04X} ({}) must be escaped to \\u{c:04X}{also}",
                        CONTROL_NAMES[c as usize]
                    ));
                }
                0x20..=0x7f => self.string.push(c),
                _ => {
                    let ranges: &[(u8, u8)] = match c {
                        0xc2..=0xdf => &[(0x80, 0xbf)],
                        0xe0 => &[(0xa0, 0xbf), (0x80, 0xbf)],
                        0xe1..=0xec | 0xee..=0xef => &[(0x80, 0xbf), (0x80, 0xbf)],
                        0xed => &[(0x80, 0x9f), (0x80, 0xbf)],
                        0xf0 => &[(0x90, 0xbf), (0x80, 0xbf), (0x80, 0xbf)],
                        0xf1..=0xf3 => &[(0x80, 0xbf), (0x80, 0xbf), (0x80, 0xbf)],
                        0xf4 => &[(0x80, 0x8f), (0x80, 0xbf), (0x80, 0xbf)],
                        _ => return self.fail("invalid string: ill-formed UTF-8 byte"),
                    };
                    self.string.push(c);
                    for &(lo, hi) in ranges {
                        match self.get() {
                            Some(b) if (lo..=hi).contains(&b) => self.string.push(b),
                            _ => return self.fail("invalid string: ill-formed UTF-8 byte"),
                        }
                    }
                }
            }
        }
    }

    #[inline(never)]
    fn scan_number(&mut self) -> Token {
        self.reset();
        let digit = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_digit());
        let mut kind = 0; // 0 unsigned, 1 integer, 2 float
        let mut c = self.current;
        if c == Some(b'-') {
            kind = 1;
            c = self.get();
            if !digit(c) {
                return self.fail("invalid number; expected digit after '-'");
            }
        }
        if c == Some(b'0') {
            c = self.get();
        } else {
            self.digit_run();
            c = self.get();
            while digit(c) {
                c = self.get();
            }
        }
        if c == Some(b'.') {
            kind = 2;
            c = self.get();
            if !digit(c) {
                return self.fail("invalid number; expected digit after '.'");
            }
            self.digit_run();
            c = self.get();
            while digit(c) {
                c = self.get();
            }
        }
        if let Some(b'e' | b'E') = c {
            kind = 2;
            c = self.get();
            if let Some(b'+' | b'-') = c {
                c = self.get();
                if !digit(c) {
                    return self.fail("invalid number; expected digit after exponent sign");
                }
            } else if !digit(c) {
                return self.fail("invalid number; expected '+', '-', or digit after exponent");
            }
            while digit(c) {
                c = self.get();
            }
        }
        self.unget();
        // Short integers, the usual case, are read without `parse`.
        let text = self.token_string();
        if kind < 2 && text.len() <= 18 {
            let (negative, digits) = match text.split_first() {
                Some((b'-', rest)) => (true, rest),
                _ => (false, text),
            };
            let n = digits.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
            self.number = if negative { Number::Integer(-n) } else { Number::Unsigned(n as u64) };
            return Token::Number;
        }
        let text = std::str::from_utf8(text).expect("ASCII");
        self.number = match kind {
            0 => match text.parse::<u64>() {
                Ok(n) => Number::Unsigned(n),
                Err(_) => Number::Float(text.parse().unwrap_or(f64::INFINITY)),
            },
            1 => match text.parse::<i64>() {
                Ok(n) => Number::Integer(n),
                Err(_) => Number::Float(text.parse().unwrap_or(f64::NEG_INFINITY)),
            },
            _ => Number::Float(text.parse().unwrap_or(f64::INFINITY)),
        };
        Token::Number
    }

    /// The text of the last string.
    fn string(&self) -> &[u8] {
        match self.verbatim {
            Some((start, end)) => &self.s[start..end],
            None => &self.string,
        }
    }

    fn token_text(&self) -> String {
        let bytes: Vec<u8> = self
            .token_string()
            .iter()
            .flat_map(|&c| if c <= 0x1f { format!("<U+{c:04X}>").into_bytes() } else { vec![c] })
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// A container being filled.
/// A container being filled: where its members start on the parser's
/// shared stacks of list items and object entries (one pair of vectors for
/// the whole document, not a vector per container), and for an object the
/// key of the value being read.
enum Building {
    List { start: usize },
    Object { start: usize, key: crate::symbol::Symbol },
}

fn syntax_error(lx: &Lexer, last: Token, expected: Token, context: &str) -> EvalError {
    let mut msg = format!("syntax error while parsing {context} - ");
    if last == Token::ParseError {
        msg.push_str(&format!("{}; last read: '{}'", lx.error, lx.token_text()));
    } else {
        msg.push_str(&format!("unexpected {}", token_name(last)));
    }
    if expected != Token::Uninitialized {
        msg.push_str(&format!("; expected {}", token_name(expected)));
    }
    let (line, column) = lx.line_column();
    EvalError::eval(format!(
        "[json.exception.parse_error.101] parse error at line {}, column {column}: {msg}",
        line + 1
    ))
    .with_frame("while decoding a JSON string", None)
}

/// Recent short string values, found by their text: a document repeats
/// many (enumerations, tags, `true`-like words), which then share one
/// string instead of each taking an allocation. Strings never change, so
/// sharing cannot show.
#[derive(Default)]
struct StringCache {
    slots: Vec<Option<NixString>>,
}

impl StringCache {
    const SIZE: usize = 256;
    /// Longer strings are rarely repeated, and would cost more to hash.
    const LONGEST: usize = 16;

    fn get(&mut self, text: &[u8]) -> NixString {
        if text.len() > Self::LONGEST {
            return NixString::from(text);
        }
        if self.slots.is_empty() {
            self.slots.resize(Self::SIZE, None);
        }
        let hash = text.iter().fold(text.len() as u32, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
        let slot = &mut self.slots[(hash >> 24) as usize % Self::SIZE];
        match slot {
            Some(s) if s.as_bytes() == text => s.clone(),
            _ => slot.insert(NixString::from(text)).clone(),
        }
    }
}

/// Recent object keys by depth and place in their object: the objects of
/// an array mostly have the same keys, which are then found without
/// hashing them again.
#[derive(Default)]
struct KeyCache {
    slots: Vec<Option<(Box<[u8]>, crate::symbol::Symbol)>>,
}

impl KeyCache {
    const SIZE: usize = 64;

    fn intern(&mut self, state: &EvalState, name: &[u8], depth: usize, place: usize) -> crate::symbol::Symbol {
        if self.slots.is_empty() {
            self.slots.resize(Self::SIZE, None);
        }
        let slot = &mut self.slots[(depth.wrapping_mul(7).wrapping_add(place)) % Self::SIZE];
        if let Some((cached, sym)) = slot {
            if **cached == *name {
                return *sym;
            }
        }
        let sym = state.intern(name);
        *slot = Some((name.into(), sym));
        sym
    }
}

/// Parses JSON text into a Nix value, as CppNix's `fromJSON`.
pub fn parse_json(state: &EvalState, s: &[u8]) -> EvalResult<Value> {
    let mut lx = Lexer {
        s,
        next: 0,
        current: None,
        next_unget: false,
        token_start: 0,
        error: String::new(),
        string: Vec::new(),
        verbatim: None,
        escaped: false,
        number: Number::Unsigned(0),
    };
    let mut stack: Vec<Building> = Vec::new();
    let mut items: Vec<Value> = Vec::new();
    let mut entries: Vec<Attr> = Vec::new();
    let mut keys = KeyCache::default();
    let mut strings = StringCache::default();
    let mut token = lx.scan();
    let mut value: Value;
    'values: loop {
        // A value starts at `token`.
        value = match token {
            Token::BeginObject => {
                token = lx.scan();
                if token == Token::EndObject {
                    Value::attrs(Attrs::empty())
                } else {
                    if token != Token::Str {
                        return Err(syntax_error(&lx, token, Token::Str, "object key"));
                    }
                    if lx.escaped {
                        no_nul(lx.string())?;
                    }
                    let key = keys.intern(state, lx.string(), stack.len(), 0);
                    token = lx.scan();
                    if token != Token::NameSeparator {
                        return Err(syntax_error(&lx, token, Token::NameSeparator, "object separator"));
                    }
                    stack.push(Building::Object { start: entries.len(), key });
                    token = lx.scan();
                    continue 'values;
                }
            }
            Token::BeginArray => {
                token = lx.scan();
                if token == Token::EndArray {
                    Value::list(Vec::new())
                } else {
                    stack.push(Building::List { start: items.len() });
                    continue 'values;
                }
            }
            Token::Number => match lx.number {
                Number::Unsigned(n) => {
                    if n > i64::MAX as u64 {
                        return Err(EvalError::eval(format!("unsigned json number {n} outside of Nix integer range")));
                    }
                    Value::Int(n as i64)
                }
                Number::Integer(n) => Value::Int(n),
                Number::Float(f) => {
                    if !f.is_finite() {
                        return Err(EvalError::eval(format!(
                            "[json.exception.out_of_range.406] number overflow parsing '{}'",
                            lx.token_text()
                        ))
                        .with_frame("while decoding a JSON string", None));
                    }
                    Value::Float(f)
                }
            },
            Token::True => Value::Bool(true),
            Token::False => Value::Bool(false),
            Token::Null => Value::Null,
            Token::Str => {
                if lx.escaped {
                    no_nul(lx.string())?;
                }
                Value::String(strings.get(lx.string()))
            }
            Token::ParseError => return Err(syntax_error(&lx, token, Token::Uninitialized, "value")),
            _ => return Err(syntax_error(&lx, token, Token::LiteralOrValue, "value")),
        };
        // A value is complete: put it into its container, closing those
        // that end here.
        loop {
            let depth = stack.len() - usize::from(!stack.is_empty());
            match stack.last_mut() {
                None => break 'values,
                Some(Building::List { start }) => {
                    let start = *start;
                    items.push(value);
                    token = lx.scan();
                    if token == Token::ValueSeparator {
                        token = lx.scan();
                        continue 'values;
                    }
                    if token != Token::EndArray {
                        return Err(syntax_error(&lx, token, Token::EndArray, "array"));
                    }
                    stack.pop();
                    value = Value::list(items.drain(start..).collect());
                }
                Some(Building::Object { start, key }) => {
                    let start = *start;
                    entries.push(Attr { name: *key, value, pos: None });
                    token = lx.scan();
                    if token == Token::ValueSeparator {
                        token = lx.scan();
                        if token != Token::Str {
                            return Err(syntax_error(&lx, token, Token::Str, "object key"));
                        }
                        if lx.escaped {
                            no_nul(lx.string())?;
                        }
                        *key = keys.intern(state, lx.string(), depth, entries.len() - start);
                        token = lx.scan();
                        if token != Token::NameSeparator {
                            return Err(syntax_error(&lx, token, Token::NameSeparator, "object separator"));
                        }
                        token = lx.scan();
                        continue 'values;
                    }
                    if token != Token::EndObject {
                        return Err(syntax_error(&lx, token, Token::EndObject, "object"));
                    }
                    stack.pop();
                    // The last of duplicate keys wins: the set keeps the first
                    // of equal names, so give it the entries reversed.
                    entries[start..].reverse();
                    value = Value::attrs(Attrs::from_unsorted_tail(&mut entries, start));
                }
            }
        }
    }
    let token = lx.scan();
    if token != Token::EndOfInput {
        return Err(syntax_error(&lx, token, Token::EndOfInput, "value"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_nlohmann() {
        assert_eq!(format_float(1.44), "1.44");
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(-0.0), "-0.0");
        assert_eq!(format_float(1e15), "1e+15");
        assert_eq!(format_float(1e14), "100000000000000.0");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(0.00001), "1e-05");
        assert_eq!(format_float(1.5e-7), "1.5e-07");
        assert_eq!(format_float(1e100), "1e+100");
        assert_eq!(format_float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_float(f64::NAN), "null");
        assert_eq!(format_float(123.456), "123.456");
        assert_eq!(format_float(5e-324), "5e-324");
        assert_eq!(format_float(f64::MAX), "1.7976931348623157e+308");
        // Not the shortest (1e+23): Grisu2, as nlohmann::json.
        assert_eq!(format_float(1e23), "9.999999999999999e+22");
        // Grisu2 reads back the same for every double.
        let mut x: u64 = 0x9e3779b97f4a7c15;
        for _ in 0..20000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if f.is_finite() {
                assert_eq!(format_float(f).parse::<f64>().unwrap(), f, "{f:e}");
            }
        }
    }

    #[test]
    fn strings_as_nlohmann() {
        let mut out = Vec::new();
        escape_string(b"a\"\\\n\x01\x7f\xc3\xa9", &mut out).unwrap();
        assert_eq!(out, b"\"a\\\"\\\\\\n\\u0001\x7f\xc3\xa9\"");
        let mut out = Vec::new();
        assert_eq!(
            escape_string(b"_invalid UTF-8: \xff_", &mut out).unwrap_err(),
            "[json.exception.type_error.316] invalid UTF-8 byte at index 16: 0xFF"
        );
        assert_eq!(
            escape_string(b"ab\xc3", &mut out).unwrap_err(),
            "[json.exception.type_error.316] incomplete UTF-8 string; last byte: 0xC3"
        );
        assert_eq!(
            escape_string(b"\xe2\x28\xa1", &mut out).unwrap_err(),
            "[json.exception.type_error.316] invalid UTF-8 byte at index 1: 0x28"
        );
    }

    fn eval(src: &str) -> Result<String, crate::EvalError> {
        let mut e = crate::Evaluator::new(Default::default());
        let v = e.eval_string(src, "/".as_ref())?;
        e.print_deep(v)
    }

    #[test]
    fn to_json_values() {
        assert_eq!(
            eval(
                r#"builtins.toJSON { b = [ 1 2.5 null true "x
" ]; a = { c = 1.0; }; }"#
            )
            .unwrap(),
            r#""{\"a\":{\"c\":1.0},\"b\":[1,2.5,null,true,\"x\\n\"]}""#
        );
        // `__toString` before `outPath`; a path from `__toString` stays a path.
        assert_eq!(eval(r#"builtins.toJSON { __toString = s: "a"; outPath = "b"; }"#).unwrap(), r#""\"a\"""#);
        assert_eq!(eval(r#"builtins.toJSON { outPath = { x = 1; }; }"#).unwrap(), r#""{\"x\":1}""#);
        assert_eq!(eval(r#"builtins.toJSON { __toString = s: /a/b; }"#).unwrap(), r#""\"/a/b\"""#);
    }

    #[test]
    fn to_json_errors() {
        let e = eval("builtins.toJSON { a = [ 1 (throw \"no\") ]; }").unwrap_err();
        assert_eq!(e.message, "no");
        let all = e.trace.frames();
        let frames: Vec<&str> = all.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            &frames[frames.len() - 3..],
            [
                "while evaluating list element at index 1",
                "while evaluating attribute 'a'",
                "while calling the 'toJSON' builtin"
            ]
        );
        let e = eval("builtins.toJSON { __toString = s: 1; }").unwrap_err();
        assert_eq!(e.message, "`__toString` should return a string, but got an integer: 1");
        let e = eval("builtins.toJSON builtins.map").unwrap_err();
        assert_eq!(e.message, "cannot convert the built-in function 'map' to JSON");
        let e = eval("let x = { y = x; }; in builtins.toJSON x").unwrap_err();
        assert_eq!(e.message, "stack overflow; max-call-depth exceeded");
    }

    #[test]
    fn parses() {
        let state = EvalState::new(Default::default(), Box::new(crate::io::StdIo));
        let v =
            parse_json(&state, br#" [1, -2, 1.5, "\u00e9\ud83d\ude00", true, null, 18446744073709551616] "#).unwrap();
        let printed = crate::print::print_value_with(&state, &v);
        assert_eq!(printed, "[ 1 -2 1.5 \"é😀\" true null 1.84467e+19 ]");
        let v = parse_json(&state, br#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(crate::print::print_value_with(&state, &v), "{ a = 2; }");
        assert!(parse_json(&state, b"").is_err());
        assert!(parse_json(&state, b"[1,]").is_err());
        assert!(parse_json(&state, b"01").is_err());
        let e = parse_json(&state, b"18446744073709551615").unwrap_err();
        assert_eq!(e.message, "unsigned json number 18446744073709551615 outside of Nix integer range");
    }
}
