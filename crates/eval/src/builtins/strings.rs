//! Builtins on strings: length, substrings, joining, replacing, regular
//! expressions, hashing, string context.

use super::args::{self, err};
use super::{native, strict, PrimOp};
use crate::coerce::{coerce_to_string_in, CoerceMode};
use crate::error::EvalResult;
use crate::regex::Regex;
use crate::state::EvalState;
use crate::value::{NixString, StringContext, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[
    native("stringLength", 1, |co, a| {
        Box::pin(async move {
            let frame = "while evaluating the argument passed to builtins.stringLength";
            let s = coerce_to_string_in(&co, a[0].clone(), CoerceMode::Interpolation, frame, None).await?;
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
        let bytes = s.as_bytes();
        let start = (start as usize).min(bytes.len());
        let end = if len < 0 { bytes.len() } else { start.saturating_add(len as usize).min(bytes.len()) };
        Ok(Value::string(NixString::with_context_of(&bytes[start..end], &s)))
    })
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
            let frame =
                "while evaluating one element of the list of strings to concat passed to builtins.concatStringsSep";
            let s = coerce_to_string_in(&co, item.clone(), CoerceMode::Interpolation, frame, None).await?;
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
            patterns.push(args::force_string(&co, p, frame).await?.as_bytes().to_vec());
        }
        // Replacements are evaluated only when used, and once.
        let mut replacements: Vec<Option<NixString>> = vec![None; to.0.len()];
        let s = args::force_string(&co, &a[2], "while evaluating the third argument passed to builtins.replaceStrings")
            .await?;
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut context: StringContext = s.context_set().unwrap_or_default();
        let mut i = 0;
        while i <= bytes.len() {
            let mut matched = false;
            for (k, p) in patterns.iter().enumerate() {
                if bytes[i..].starts_with(p) {
                    if replacements[k].is_none() {
                        let frame = "while evaluating one of the replacement strings passed to builtins.replaceStrings";
                        replacements[k] = Some(args::force_string(&co, &to.0[k], frame).await?);
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
