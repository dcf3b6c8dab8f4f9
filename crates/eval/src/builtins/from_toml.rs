//! `builtins.fromTOML`, with the `toml` crate. Dates and times are errors
//! unless the experimental feature `parse-toml-timestamps` is on; then they
//! become `{ _type = "timestamp"; value = "..."; }` written as CppNix
//! (toml11) writes them.

use super::json::no_nul;
use super::{strict, PrimOp};
use crate::error::{EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::{AttrsBuilder, Value};
use toml::value::{Datetime, Offset};

pub(super) static PRIMOPS: &[PrimOp] = &[strict("fromTOML", 1, from_toml)];

fn from_toml(state: &EvalState, a: &[Value]) -> EvalResult<Value> {
    let s = super::json::string_no_context(state, &a[0], "while evaluating the argument passed to builtins.fromTOML")?;
    let text = String::from_utf8_lossy(s.as_bytes());
    if let Some(msg) = toml_1_1_syntax(&text) {
        return Err(fail(format!("[error] {msg}: not TOML 1.0.0")));
    }
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => return Err(EvalError::eval(format!("while parsing TOML: {}", describe_error(&text, &e)))),
    };
    let timestamps = state.settings.globals.experimental_features.iter().any(|f| f == "parse-toml-timestamps");
    convert_table(state, &table, timestamps, 0)
}

fn fail(msg: impl std::fmt::Display) -> EvalError {
    EvalError::eval(format!("while parsing TOML: {msg}"))
}

fn convert_table(state: &EvalState, table: &toml::Table, timestamps: bool, depth: usize) -> EvalResult<Value> {
    let mut b = AttrsBuilder::with_capacity(table.len());
    for (k, v) in table {
        no_nul(k.as_bytes()).map_err(|e| fail(format!("error: {}", e.message)))?;
        b.insert(state.intern(k), convert(state, v, timestamps, depth + 1)?, None);
    }
    Ok(Value::attrs(b.build()))
}

fn convert(state: &EvalState, v: &toml::Value, timestamps: bool, depth: usize) -> EvalResult<Value> {
    Ok(match v {
        toml::Value::String(s) => {
            no_nul(s.as_bytes()).map_err(|e| fail(format!("error: {}", e.message)))?;
            Value::string(s.as_str())
        }
        toml::Value::Integer(i) => Value::Int(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Array(items) => {
            Value::list(items.iter().map(|x| convert(state, x, timestamps, depth + 1)).collect::<EvalResult<_>>()?)
        }
        toml::Value::Table(t) => convert_table(state, t, timestamps, depth)?,
        toml::Value::Datetime(d) => {
            if !timestamps {
                return Err(fail("Dates and times are not supported"));
            }
            let mut b = AttrsBuilder::with_capacity(2);
            b.insert(state.intern("_type"), Value::string("timestamp"), None);
            b.insert(state.sym.value, Value::string(format_datetime(d)), None);
            Value::attrs(b.build())
        }
    })
}

/// A date, time or both as toml11 writes them after CppNix's normalisation:
/// `T` between date and time, seconds always, fractions of a second in 3, 6
/// or 9 digits (the fewest that hold them), `Z` for a zero offset.
pub fn format_datetime(d: &Datetime) -> String {
    let mut s = String::new();
    if let Some(date) = &d.date {
        s.push_str(&format!("{:04}-{:02}-{:02}", date.year, date.month, date.day));
    }
    if let Some(time) = &d.time {
        if d.date.is_some() {
            s.push('T');
        }
        s.push_str(&format!("{:02}:{:02}:{:02}", time.hour, time.minute, time.second.unwrap_or(0)));
        let nanos = time.nanosecond.unwrap_or(0);
        let (millis, micros, ns) = (nanos / 1_000_000, nanos / 1000 % 1000, nanos % 1000);
        if ns != 0 {
            s.push_str(&format!(".{nanos:09}"));
        } else if micros != 0 {
            s.push_str(&format!(".{:06}", nanos / 1000));
        } else if millis != 0 {
            s.push_str(&format!(".{millis:03}"));
        }
    }
    match d.offset {
        Some(Offset::Z) | Some(Offset::Custom { minutes: 0 }) => s.push('Z'),
        Some(Offset::Custom { minutes }) => {
            let sign = if minutes < 0 { '-' } else { '+' };
            let m = minutes.unsigned_abs();
            s.push_str(&format!("{sign}{:02}:{:02}", m / 60, m % 60));
        }
        None => {}
    }
    s
}

/// What TOML 1.1 allows and CppNix (toml11, reading TOML 1.0.0) rejects,
/// while the `toml` crate reads 1.1: newlines and a trailing comma in
/// inline tables, the `\e` and `\xHH` escapes, times without seconds.
fn toml_1_1_syntax(text: &str) -> Option<&'static str> {
    use toml_parser::lexer::TokenKind as K;
    let source = toml_parser::Source::new(text);
    // Open brackets and braces, innermost last.
    let mut open: Vec<K> = Vec::new();
    let mut after_comma = false;
    for token in source.lex() {
        let raw = &text[token.span().start()..token.span().end()];
        match token.kind() {
            K::LeftCurlyBracket | K::LeftSquareBracket => open.push(token.kind()),
            K::RightCurlyBracket => {
                if open.last() == Some(&K::LeftCurlyBracket) && after_comma {
                    return Some("trailing comma in an inline table");
                }
                open.pop();
            }
            K::RightSquareBracket => {
                open.pop();
            }
            K::Newline | K::Comment if open.last() == Some(&K::LeftCurlyBracket) => {
                return Some("newline in an inline table")
            }
            K::BasicString | K::MlBasicString => {
                let b = raw.as_bytes();
                let mut i = 0;
                while i < b.len() {
                    if b[i] == b'\\' {
                        if let Some(b'e' | b'x') = b.get(i + 1) {
                            return Some("escape sequence \\e or \\x in a string");
                        }
                        i += 1;
                    }
                    i += 1;
                }
            }
            K::Atom if time_without_seconds(raw) => return Some("time without seconds"),
            _ => {}
        }
        match token.kind() {
            K::Comma => after_comma = true,
            K::Whitespace => {}
            _ => after_comma = false,
        }
    }
    None
}

/// `07:32`, `1979-05-27T07:32` or `07:32Z`: a time whose minutes are not
/// followed by seconds.
fn time_without_seconds(atom: &str) -> bool {
    let b = atom.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let time = if b.len() > 11 && matches!(b[10], b'T' | b't') && digits(&b[..4]) && b[4] == b'-' {
        &b[11..]
    } else if b.len() >= 5 && b[2] == b':' && digits(&b[..2]) {
        b
    } else {
        return false;
    };
    time.len() >= 5 && time[2] == b':' && digits(&time[..2]) && digits(&time[3..5]) && time.get(5) != Some(&b':')
}

/// The parse error. Integers out of range are reported as toml11 reports
/// them (the suite checks that message); other errors keep the `toml`
/// crate's wording.
fn describe_error(text: &str, e: &toml::de::Error) -> String {
    if let Some(span) = e.span() {
        let piece = text.get(span.clone()).unwrap_or("");
        let digits = piece.trim_start_matches(['+', '-']);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            let line_start = text[..span.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
            let line_end = text[span.start..].find('\n').map(|i| span.start + i).unwrap_or(text.len());
            let line_no = text[..span.start].matches('\n').count() + 1;
            let line = &text[line_start..line_end];
            let col = span.end - line_start;
            let num = line_no.to_string();
            let pad = " ".repeat(num.len());
            return format!(
                "[error] toml::parse_dec_integer: too large integer: current max digits = 2^63\n{pad}--> fromTOML\n{pad}  |\n {num} | {line}\n{pad}  | {}^-- must be < 2^63\n",
                " ".repeat(col)
            );
        }
    }
    e.to_string().trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::format_datetime;

    fn fmt(s: &str) -> String {
        let t: toml::Table = format!("x = {s}").parse().unwrap();
        format_datetime(t["x"].as_datetime().unwrap())
    }

    #[test]
    fn timestamps_as_toml11() {
        assert_eq!(fmt("1979-05-27 07:32:00Z"), "1979-05-27T07:32:00Z");
        assert_eq!(fmt("1979-05-27T00:32:00.999999-07:00"), "1979-05-27T00:32:00.999999-07:00");
        assert_eq!(fmt("1979-05-27t07:32:00.1234Z"), "1979-05-27T07:32:00.123400Z");
        assert_eq!(fmt("1979-05-27T07:32:00.1"), "1979-05-27T07:32:00.100");
        assert_eq!(fmt("00:32:00.1234567891"), "00:32:00.123456789");
        assert_eq!(fmt("1979-05-27"), "1979-05-27");
        assert_eq!(fmt("1979-05-27T07:32:00+00:00"), "1979-05-27T07:32:00Z");
    }

    fn eval(src: &str) -> Result<String, crate::EvalError> {
        let mut e = crate::Evaluator::new(Default::default());
        let v = e.eval_string(src, "/".as_ref())?;
        e.print_deep(v)
    }

    #[test]
    fn values_and_errors() {
        assert_eq!(
            eval(r#"builtins.fromTOML "a = [ 1, 1.5, 'x', true ]\n[t]\nb.c = {}""#).unwrap(),
            r#"{ a = [ 1 1.5 "x" true ]; t = { b = { c = { }; }; }; }"#
        );
        let e = eval(r#"builtins.fromTOML "k = \"a\\u0000b\"""#).unwrap_err();
        assert_eq!(
            e.message,
            "while parsing TOML: error: input string 'a\u{2400}b' cannot be represented as Nix string because it contains null bytes"
        );
        let e = eval(r#"builtins.fromTOML "d = 1979-05-27""#).unwrap_err();
        assert_eq!(e.message, "while parsing TOML: Dates and times are not supported");
        let e = eval(r#"builtins.fromTOML "attr = 9223372036854775808""#).unwrap_err();
        assert!(e.message.starts_with("while parsing TOML: [error] toml::parse_dec_integer: too large integer"));
    }

    #[test]
    fn toml_1_1_rejected() {
        use super::toml_1_1_syntax as check;
        assert!(check("a = { b = 1, }").is_some());
        assert!(check("a = { b = 1,\n c = 2 }").is_some());
        assert!(check("a = \"\\e\"").is_some());
        assert!(check("a = \"\\x41\"").is_some());
        assert!(check("a = 07:32").is_some());
        assert!(check("a = 1979-05-27T07:32Z").is_some());
        assert!(check(
            "a = { b = 1, c = [\n1,\n] }\nd = \"\\\\e\"\nt = 07:32:00\nu = 1979-05-27 07:32:00.5-07:00\nv = 1.5"
        )
        .is_none());
    }
}
