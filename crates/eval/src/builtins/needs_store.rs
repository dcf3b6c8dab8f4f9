//! Builtins that need a store. Until the store layer is wired into the
//! evaluator they fail with a clear message (`placeholder` needs only a hash
//! and works).

use super::args;
use super::{strict, PrimOp};
use crate::error::{EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::Value;

fn not_yet(name: &str) -> EvalResult<Value> {
    Err(EvalError::eval(format!("'builtins.{name}' is not yet supported by neve: it needs the store")))
}

pub(super) static PRIMOPS: &[PrimOp] = &[
    strict("derivationStrict", 1, |_, _| not_yet("derivationStrict")),
    strict("derivation", 1, |_, _| not_yet("derivation")),
    strict("toFile", 2, |_, _| not_yet("toFile")),
    strict("path", 1, |_, _| not_yet("path")),
    strict("filterSource", 2, |_, _| not_yet("filterSource")),
    strict("storePath", 1, |_, _| not_yet("storePath")),
    strict("fetchurl", 1, |_, _| not_yet("fetchurl")),
    strict("fetchTarball", 1, |_, _| not_yet("fetchTarball")),
    strict("fetchGit", 1, |_, _| not_yet("fetchGit")),
    strict("fetchMercurial", 1, |_, _| not_yet("fetchMercurial")),
    strict("placeholder", 1, placeholder),
];

/// `builtins.placeholder output`: the string a builder sees in place of the
/// output's path.
fn placeholder(state: &EvalState, a: Vec<Value>) -> EvalResult<Value> {
    let output = args::string(state, &a[0])?;
    Ok(Value::string(neve_store::derivation::hash_placeholder(&output.to_str_lossy())))
}
