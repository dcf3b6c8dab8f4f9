//! Builtins on strings: length, substrings, joining, replacing, regular
//! expressions, hashing, string context.

use super::args::{self, err};
use super::{forcing_args_first, native, strict, with_fast, PrimOp};
use crate::coerce::{coerce_to_string_in, CoerceMode};
use crate::error::EvalResult;
use crate::regex::Regex;
use crate::state::EvalState;
use crate::value::{NixString, StringContext, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    // `coerce_to_string_in` forces the argument first, without a frame.
    forcing_args_first(with_fast(
        native("stringLength", 1, |co, a| {
            Box::pin(async move {
                let frame = "while evaluating the argument passed to builtins.stringLength";
                let s = coerce_to_string_in(&co, a[0].clone(), CoerceMode::Interpolation, frame, None).await?;
                Ok(Value::Int(s.as_bytes().len() as i64))
            })
        }),
        |_, a| match a[0].resolved()? {
            Value::String(s) => Some(Ok(Value::Int(s.as_bytes().len() as i64))),
            _ => None,
        },
    )),
    with_fast(native("substring", 3, substring), substring_fast),
    with_fast(native("concatStringsSep", 2, concat_strings_sep), concat_strings_sep_fast),
    with_fast(native("replaceStrings", 3, replace_strings), replace_strings_fast),
    strict("match", 2, regex_match),
    strict("split", 2, regex_split),
    strict("hashString", 2, hash_string),
    strict("unsafeDiscardStringContext", 1, |s, a| {
        Ok(Value::string(NixString::from(args::string(s, &a[0])?.as_bytes())))
    }),
    strict("hasContext", 1, |s, a| Ok(Value::Bool(args::string(s, &a[0])?.has_context()))),
];

/// A string known without evaluation, else `None`.
fn known_string(v: &Value) -> Option<NixString> {
    match v.resolved()? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn substring_fast(_: &EvalState, a: &[Value]) -> Option<EvalResult<Value>> {
    let Value::Int(start) = a[0].resolved()? else { return None };
    if start < 0 {
        return Some(Err(err("negative start position in 'substring'")));
    }
    let Value::Int(len) = a[1].resolved()? else { return None };
    let s = known_string(&a[2])?;
    Some(Ok(substring_of(&s, start, len)))
}

/// `substring start len s` with `start` not negative.
fn substring_of(s: &NixString, start: i64, len: i64) -> Value {
    let bytes = s.as_bytes();
    let start = (start as usize).min(bytes.len());
    let end = if len < 0 { bytes.len() } else { start.saturating_add(len as usize).min(bytes.len()) };
    Value::string(NixString::with_context_of(&bytes[start..end], s))
}

fn substring(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let frame = "while evaluating the first argument (the start offset) passed to builtins.substring";
        let start = args::force_int(&co, &a[0], frame).await?;
        if start < 0 {
            return Err(err("negative start position in 'substring'"));
        }
        let frame = "while evaluating the second argument (the substring length) passed to builtins.substring";
        let len = args::force_int(&co, &a[1], frame).await?;
        if len == 0 {
            if let Value::String(s) = co.force(a[2].clone()).await? {
                return Ok(Value::string(NixString::with_context_of(Vec::new(), &s)));
            }
        }
        let frame = "while evaluating the third argument (the string) passed to builtins.substring";
        let s = coerce_to_string_in(&co, a[2].clone(), CoerceMode::Interpolation, frame, None).await?;
        Ok(substring_of(&s, start, len))
    })
}

/// `concatStringsSep` of known strings.
fn concat_strings_sep_fast(_: &EvalState, a: &[Value]) -> Option<EvalResult<Value>> {
    let sep = known_string(&a[0])?;
    let Value::List(list) = a[1].resolved()? else { return None };
    let mut parts = Vec::with_capacity(list.0.len());
    let mut total = 0;
    for item in &list.0 {
        let s = known_string(item)?;
        total += s.as_bytes().len();
        parts.push(s);
    }
    let mut out = Vec::with_capacity(total + sep.as_bytes().len() * parts.len().saturating_sub(1));
    let mut context = sep.context_set().unwrap_or_default();
    for (i, s) in parts.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(sep.as_bytes());
        }
        out.extend_from_slice(s.as_bytes());
        if let Some(c) = s.context() {
            context.extend(c.iter().cloned());
        }
    }
    Some(Ok(Value::string(NixString::new(out, Some(context)))))
}

fn concat_strings_sep(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let frame = "while evaluating the first argument (the separator string) passed to builtins.concatStringsSep";
        let sep = args::force_string(&co, &a[0], frame).await?;
        let frame =
            "while evaluating the second argument (the list of strings to concat) passed to builtins.concatStringsSep";
        let list = args::force_list(&co, &a[1], frame).await?;
        let mut out = Vec::new();
        let mut context = sep.context_set().unwrap_or_default();
        for (i, item) in list.0.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(sep.as_bytes());
            }
            // Forced here as `coerce_to_string_in` would (its errors gain
            // no frame); a string is then used without a copy.
            let v = co.force(item.clone()).await?;
            if let Value::String(s) = &v {
                out.extend_from_slice(s.as_bytes());
                if let Some(c) = s.context() {
                    context.extend(c.iter().cloned());
                }
                continue;
            }
            let frame =
                "while evaluating one element of the list of strings to concat passed to builtins.concatStringsSep";
            let s = coerce_to_string_in(&co, v, CoerceMode::Interpolation, frame, None).await?;
            out.extend_from_slice(s.as_bytes());
            if let Some(c) = s.context() {
                context.extend(c.iter().cloned());
            }
        }
        Ok(Value::string(NixString::new(out, Some(context))))
    })
}

fn replace_strings(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let from =
            args::force_list(&co, &a[0], "while evaluating the first argument passed to builtins.replaceStrings")
                .await?;
        let to = args::force_list(&co, &a[1], "while evaluating the second argument passed to builtins.replaceStrings")
            .await?;
        if from.0.len() != to.0.len() {
            return Err(err("'from' and 'to' arguments passed to builtins.replaceStrings have different lengths"));
        }
        let mut patterns = Vec::with_capacity(from.0.len());
        for p in &from.0 {
            let frame = "while evaluating one of the strings to replace passed to builtins.replaceStrings";
            patterns.push(args::force_string(&co, p, frame).await?);
        }
        // Replacements are evaluated only when used, and once.
        let mut replacements: Vec<Option<NixString>> = vec![None; to.0.len()];
        let s = args::force_string(&co, &a[2], "while evaluating the third argument passed to builtins.replaceStrings")
            .await?;
        let mut r = Replacing::new(&s, &patterns);
        while let Some(k) = r.run(&s, &patterns, &replacements) {
            let frame = "while evaluating one of the replacement strings passed to builtins.replaceStrings";
            replacements[k] = Some(args::force_string(&co, &to.0[k], frame).await?);
        }
        Ok(r.finish())
    })
}

/// `replaceStrings` of known strings (replacements included).
fn replace_strings_fast(_: &EvalState, a: &[Value]) -> Option<EvalResult<Value>> {
    let Value::List(from) = a[0].resolved()? else { return None };
    let Value::List(to) = a[1].resolved()? else { return None };
    if from.0.len() != to.0.len() {
        return None;
    }
    let patterns = from.0.iter().map(known_string).collect::<Option<Vec<_>>>()?;
    let s = known_string(&a[2])?;
    let replacements = to.0.iter().map(|v| known_string(v).map(Some)).collect::<Option<Vec<_>>>()?;
    let mut r = Replacing::new(&s, &patterns);
    match r.run(&s, &patterns, &replacements) {
        None => Some(Ok(r.finish())),
        Some(_) => unreachable!("every replacement is known"),
    }
}

/// The work of `replaceStrings`, which stops when it needs a replacement
/// not yet evaluated and goes on from there.
struct Replacing {
    out: Vec<u8>,
    context: StringContext,
    /// The next byte of the input to look at.
    at: usize,
    /// Which bytes can start a match (all when a pattern is empty).
    starts: [bool; 256],
}

impl Replacing {
    fn new(s: &NixString, patterns: &[NixString]) -> Replacing {
        let mut starts = [false; 256];
        for p in patterns {
            match p.as_bytes().first() {
                Some(&b) => starts[b as usize] = true,
                None => starts = [true; 256],
            }
        }
        let context = s.context_set().unwrap_or_default();
        Replacing { out: Vec::with_capacity(s.as_bytes().len()), context, at: 0, starts }
    }

    /// Goes on replacing: `None` when done, or the index of a replacement
    /// that must be evaluated first.
    fn run(&mut self, s: &NixString, patterns: &[NixString], replacements: &[Option<NixString>]) -> Option<usize> {
        let bytes = s.as_bytes();
        while self.at <= bytes.len() {
            let i = self.at;
            // Bytes that start no pattern are copied in one go.
            if i < bytes.len() && !self.starts[bytes[i] as usize] {
                let n = bytes[i..].iter().position(|&b| self.starts[b as usize]).unwrap_or(bytes.len() - i);
                self.out.extend_from_slice(&bytes[i..i + n]);
                self.at += n;
                continue;
            }
            let mut matched = false;
            for (k, p) in patterns.iter().enumerate() {
                let p = p.as_bytes();
                if bytes[i..].starts_with(p) {
                    let Some(r) = &replacements[k] else { return Some(k) };
                    self.out.extend_from_slice(r.as_bytes());
                    if let Some(c) = r.context() {
                        self.context.extend(c.iter().cloned());
                    }
                    if p.is_empty() {
                        // An empty pattern matches between every byte.
                        if i < bytes.len() {
                            self.out.push(bytes[i]);
                        }
                        self.at += 1;
                    } else {
                        self.at += p.len();
                    }
                    matched = true;
                    break;
                }
            }
            if !matched {
                if i < bytes.len() {
                    self.out.push(bytes[i]);
                }
                self.at += 1;
            }
        }
        None
    }

    fn finish(self) -> Value {
        Value::string(NixString::new(self.out, Some(self.context)))
    }
}

fn compile_regex(state: &EvalState, v: &Value) -> EvalResult<Regex> {
    let pattern = args::string(state, v)?;
    Regex::new(pattern.as_bytes()).map_err(|e| err(e.to_string()))
}

fn regex_match(state: &EvalState, a: &[Value]) -> EvalResult<Value> {
    let re = compile_regex(state, &a[0])?;
    let s = args::string(state, &a[1])?;
    let bytes = s.as_bytes();
    Ok(match re.full_match(bytes) {
        None => Value::Null,
        Some(groups) => Value::list(
            groups
                .into_iter()
                .map(|g| match g {
                    Some(r) => Value::string(NixString::from(&bytes[r])),
                    None => Value::Null,
                })
                .collect(),
        ),
    })
}

fn regex_split(state: &EvalState, a: &[Value]) -> EvalResult<Value> {
    let re = compile_regex(state, &a[0])?;
    let s = args::string(state, &a[1])?;
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut last = 0;
    for caps in re.matches(bytes) {
        let whole = caps[0].clone().expect("group 0 always participates");
        out.push(Value::string(NixString::from(&bytes[last..whole.start])));
        out.push(Value::list(
            caps[1..]
                .iter()
                .map(|g| match g {
                    Some(r) => Value::string(NixString::from(&bytes[r.clone()])),
                    None => Value::Null,
                })
                .collect(),
        ));
        last = whole.end;
    }
    out.push(Value::string(NixString::from(&bytes[last..])));
    Ok(Value::list(out))
}

fn hash_string(state: &EvalState, a: &[Value]) -> EvalResult<Value> {
    let algo_name = args::string(state, &a[0])?;
    let algo = super::hashing::parse_algo(algo_name.as_bytes())?;
    let s = args::string(state, &a[1])?;
    Ok(Value::string(neve_store::hash::hash_bytes(algo, s.as_bytes()).to_base16()))
}
