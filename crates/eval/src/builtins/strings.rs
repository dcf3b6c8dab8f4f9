//! Builtins on strings: length, substrings, joining, replacing, regular
//! expressions, hashing, string context.

use super::args::{self, err};
use super::{native, strict, PrimOp};
use crate::coerce::{coerce_to_string, CoerceMode};
use crate::error::EvalResult;
use crate::regex::Regex;
use crate::state::EvalState;
use crate::value::{NixString, StringContext, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    native("stringLength", 1, |co, a| {
        Box::pin(async move {
            let s = coerce_to_string(&co, a[0].clone(), CoerceMode::Interpolation).await?;
            Ok(Value::Int(s.as_bytes().len() as i64))
        })
    }),
    native("substring", 3, substring),
    native("concatStringsSep", 2, concat_strings_sep),
    native("replaceStrings", 3, replace_strings),
    strict("match", 2, regex_match),
    strict("split", 2, regex_split),
    strict("hashString", 2, hash_string),
    strict("unsafeDiscardStringContext", 1, |s, a| {
        Ok(Value::string(NixString::from(args::string(s, &a[0])?.as_bytes())))
    }),
    strict("hasContext", 1, |s, a| Ok(Value::Bool(args::string(s, &a[0])?.has_context()))),
];

fn substring(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let start = co.force(a[0].clone()).await?;
        let start = args::int(&co.state, &start)?;
        let len = co.force(a[1].clone()).await?;
        let len = args::int(&co.state, &len)?;
        let s = coerce_to_string(&co, a[2].clone(), CoerceMode::Interpolation).await?;
        if start < 0 {
            return Err(err("negative start position in 'substring'"));
        }
        let bytes = s.as_bytes();
        let start = (start as usize).min(bytes.len());
        let end = if len < 0 { bytes.len() } else { start.saturating_add(len as usize).min(bytes.len()) };
        Ok(Value::string(NixString::new(&bytes[start..end], s.context().cloned())))
    })
}

fn concat_strings_sep(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let sep = co.force(a[0].clone()).await?;
        let sep = args::string(&co.state, &sep)?.clone();
        let list = co.force(a[1].clone()).await?;
        let list = args::list(&co.state, &list)?.clone();
        let mut out = Vec::new();
        let mut context = sep.context().cloned().unwrap_or_default();
        for (i, item) in list.0.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(sep.as_bytes());
            }
            let s = coerce_to_string(&co, item.clone(), CoerceMode::Interpolation).await?;
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
        let from = co.force(a[0].clone()).await?;
        let from = args::list(&co.state, &from)?.clone();
        let to = co.force(a[1].clone()).await?;
        let to = args::list(&co.state, &to)?.clone();
        if from.0.len() != to.0.len() {
            return Err(err("'from' and 'to' arguments passed to builtins.replaceStrings have different lengths"));
        }
        let mut patterns = Vec::with_capacity(from.0.len());
        for p in &from.0 {
            let p = co.force(p.clone()).await?;
            patterns.push(args::string(&co.state, &p)?.as_bytes().to_vec());
        }
        // Replacements are evaluated only when used, and once.
        let mut replacements: Vec<Option<NixString>> = vec![None; to.0.len()];
        let s = co.force(a[2].clone()).await?;
        let s = args::string(&co.state, &s)?.clone();
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut context: StringContext = s.context().cloned().unwrap_or_default();
        let mut i = 0;
        while i <= bytes.len() {
            let mut matched = false;
            for (k, p) in patterns.iter().enumerate() {
                if bytes[i..].starts_with(p) {
                    if replacements[k].is_none() {
                        let r = co.force(to.0[k].clone()).await?;
                        replacements[k] = Some(args::string(&co.state, &r)?.clone());
                    }
                    let r = replacements[k].as_ref().expect("just set");
                    out.extend_from_slice(r.as_bytes());
                    if let Some(c) = r.context() {
                        context.extend(c.iter().cloned());
                    }
                    if p.is_empty() {
                        // An empty pattern matches between every byte.
                        if i < bytes.len() {
                            out.push(bytes[i]);
                        }
                        i += 1;
                    } else {
                        i += p.len();
                    }
                    matched = true;
                    break;
                }
            }
            if !matched {
                if i < bytes.len() {
                    out.push(bytes[i]);
                }
                i += 1;
            }
        }
        Ok(Value::string(NixString::new(out, Some(context))))
    })
}

fn compile_regex(state: &EvalState, v: &Value) -> EvalResult<Regex> {
    let pattern = args::string(state, v)?;
    Regex::new(pattern.as_bytes()).map_err(|e| err(e.to_string()))
}

fn regex_match(state: &EvalState, a: Vec<Value>) -> EvalResult<Value> {
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

fn regex_split(state: &EvalState, a: Vec<Value>) -> EvalResult<Value> {
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

fn hash_string(state: &EvalState, a: Vec<Value>) -> EvalResult<Value> {
    let algo_name = args::string(state, &a[0])?;
    let algo = super::hashing::parse_algo(algo_name.as_bytes())?;
    let s = args::string(state, &a[1])?;
    Ok(Value::string(neve_store::hash::hash_bytes(algo, s.as_bytes()).to_base16()))
}
