//! `builtins.outputOf` (experimental feature `dynamic-derivations`), as
//! current Nix's `prim_outputOf`: `outputOf drv output` gives the path of
//! `output` of the derivation `drv` refers to, as a string whose context is
//! that output.
//!
//! The first argument is a string whose context has exactly one element:
//! a plain store path (a derivation, e.g. from
//! `unsafeDiscardOutputDependency drv.drvPath`) or an output of a derivation
//! (`drv.outPath`, or the result of another `outputOf`, when the derivation
//! is itself built by a derivation). The string must be what that element
//! stands for (the path, or the output path or placeholder).
//!
//! The result is the output's path when it is known before building (an
//! input-addressed or fixed-output derivation read from the evaluation's
//! store record or the real store), and otherwise a *downstream
//! placeholder*, a hash standing for the path until it is built:
//!
//! - an output of a derivation known by path whose output path floats
//!   (content-addressed): `/` + base-32 of
//!   sha256(`nix-upstream-output:<drv hash part>:<output path name>`),
//!   which needs `ca-derivations`;
//! - an output of a derivation that is itself an output: `/` + base-32 of
//!   sha256(`nix-computed-output:<base-32 of the inner placeholder's hash
//!   folded to 20 bytes>:<output>`), the inner placeholder computed the
//!   same way (so an output of an output of a derivation known by path
//!   needs `ca-derivations` too, as in CppNix, even when the inner
//!   derivation is input-addressed).
//!
//! In a string context neve writes an output of a built derivation as
//! `StringContextElem::Built` whose `drv` is the derived path of the
//! derivation in CppNix's `^` notation (`/nix/store/…-a.drv^out`); a plain
//! derivation path has no `^` (store path names cannot hold one).

use neve_store::hash::{compress_hash, hash_bytes};
use neve_store::store_path::output_path_name;
use neve_store::{nixbase32, Hash, HashAlgo, StorePath};

use super::args::{err, force_string, force_string_no_ctx};
use super::derivation::{read_drv, require_feature};
use super::{native, PrimOp};
use crate::error::{EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::{NixString, StringContext, StringContextElem as Elem, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[native("outputOf", 2, output_of)];

/// CppNix's `SingleDerivedPath`: a store path, or an output of a
/// derivation which is itself a derived path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DerivedPath {
    Opaque(StorePath),
    Built(Box<DerivedPath>, String),
}

impl DerivedPath {
    /// CppNix's `to_string`: the full path, then `^output` per level.
    pub(crate) fn show(&self, state: &EvalState) -> String {
        match self {
            DerivedPath::Opaque(p) => state.store.borrow().dir.print_path(p),
            DerivedPath::Built(drv, output) => format!("{}^{output}", drv.show(state)),
        }
    }

    /// Parses the `drv` of a `Built` context element (see the module doc).
    pub(crate) fn parse_drv(state: &EvalState, drv: &[u8]) -> EvalResult<DerivedPath> {
        let text = String::from_utf8_lossy(drv);
        let mut parts = text.split('^');
        let base = parts.next().unwrap_or_default();
        let path = state
            .store
            .borrow()
            .dir
            .parse_path(base)
            .map_err(|_| err(format!("path '{base}' is not in the Nix store")))?;
        let mut derived = DerivedPath::Opaque(path);
        for output in parts {
            derived = DerivedPath::Built(Box::new(derived), output.to_owned());
        }
        Ok(derived)
    }

    /// The context element standing for this path.
    fn to_context_elem(&self, state: &EvalState) -> Elem {
        match self {
            DerivedPath::Opaque(p) => Elem::Opaque(state.store.borrow().dir.print_path(p).into_bytes().into()),
            DerivedPath::Built(drv, output) => {
                Elem::Built { drv: drv.show(state).into_bytes().into(), output: output.as_bytes().into() }
            }
        }
    }
}

/// The derivation at `path`: one this evaluation recorded, or one read from
/// the store (CppNix's `readDerivation`).
fn derivation_output_path(state: &EvalState, drv_path: &StorePath, output: &str) -> EvalResult<Option<StorePath>> {
    let dir = state.store.borrow().dir.clone();
    if !drv_path.is_derivation() {
        return Err(err(format!(
            "error parsing derivation '{}': store path '{drv_path}' is not a valid derivation path",
            dir.print_path(drv_path)
        )));
    }
    let recorded = state.store.borrow().derivation(drv_path);
    let drv = match recorded {
        Some(d) => d,
        None => read_drv(state, &dir, drv_path).map_err(super::derivation::drv_error)?,
    };
    if !drv.outputs.contains_key(output) {
        return Err(err(format!("derivation '{}' does not have output '{output}'", dir.print_path(drv_path))));
    }
    let mut paths = drv.output_paths(&dir).map_err(super::derivation::drv_error)?;
    Ok(paths.remove(output).flatten())
}

/// The hash of the downstream placeholder of an output whose path is not
/// known statically (CppNix's `DownstreamPlaceholder::fromSingleDerivedPathBuilt`).
fn placeholder_hash(state: &EvalState, drv: &DerivedPath, output: &str) -> EvalResult<Hash> {
    match drv {
        DerivedPath::Opaque(drv_path) => {
            require_feature(state, "ca-derivations")?;
            let name = drv_path.name();
            let drv_name = name.strip_suffix(".drv").unwrap_or(name);
            let clear = format!("nix-upstream-output:{}:{}", drv_path.hash_part(), output_path_name(drv_name, output));
            Ok(hash_bytes(HashAlgo::Sha256, clear.as_bytes()))
        }
        DerivedPath::Built(inner, inner_output) => {
            let inner = placeholder_hash(state, inner, inner_output)?;
            let clear =
                format!("nix-computed-output:{}:{output}", nixbase32::encode(&compress_hash(inner.digest(), 20)));
            Ok(hash_bytes(HashAlgo::Sha256, clear.as_bytes()))
        }
    }
}

/// What the string of a derived path is (CppNix's
/// `mkSingleDerivedPathStringRaw`): the store path, an output's static
/// path, or a downstream placeholder.
pub(crate) fn render(state: &EvalState, path: &DerivedPath) -> EvalResult<String> {
    match path {
        DerivedPath::Opaque(p) => Ok(state.store.borrow().dir.print_path(p)),
        DerivedPath::Built(drv, output) => {
            if let DerivedPath::Opaque(drv_path) = &**drv {
                if let Some(out) = derivation_output_path(state, drv_path, output)? {
                    return Ok(state.store.borrow().dir.print_path(&out));
                }
            }
            Ok(format!("/{}", nixbase32::encode(placeholder_hash(state, drv, output)?.digest())))
        }
    }
}

/// The store path a derived path stands for when it can be known without
/// building (CppNix's `resolveDerivedPath` for outputs with static paths);
/// otherwise CppNix's error for an unbuilt output.
pub(crate) fn resolve(state: &EvalState, path: &DerivedPath) -> EvalResult<StorePath> {
    match path {
        DerivedPath::Opaque(p) => Ok(p.clone()),
        DerivedPath::Built(drv, output) => {
            let drv_path = resolve(state, drv)?;
            match derivation_output_path(state, &drv_path, output)? {
                Some(p) => Ok(p),
                None => {
                    let dir = state.store.borrow().dir.clone();
                    Err(err(format!(
                        "cannot operate on output '{output}' of the unbuilt derivation '{}'",
                        dir.print_path(&drv_path)
                    ))
                    .with_frame(format!("looking up realisation for derivation '{}'", drv.show(state)), None))
                }
            }
        }
    }
}

/// CppNix's `coerceToSingleDerivedPath`: a string with exactly one context
/// element (not a whole derivation closure) that is what the element
/// stands for.
async fn coerce_to_derived_path(co: &Co, v: &Value, frame: &str) -> EvalResult<DerivedPath> {
    let s = force_string(co, v, frame).await?;
    let state = &co.state;
    let shown = s.to_str_lossy();
    let context: Vec<&Elem> = s.context().into_iter().flatten().collect();
    let with_frame = |e: EvalError| e.with_frame(frame, None);
    if context.len() != 1 {
        return Err(with_frame(err(format!(
            "string '{shown}' has {} entries in its context. It should only have exactly one entry",
            context.len()
        ))));
    }
    let derived = match context[0] {
        Elem::Opaque(p) => DerivedPath::parse_drv(state, p).map_err(with_frame)?,
        Elem::DrvDeep(_) => {
            return Err(with_frame(err(format!(
                "string '{shown}' has a context which refers to a complete source and binary closure. \
                 This is not supported at this time"
            ))))
        }
        Elem::Built { drv, output } => DerivedPath::Built(
            Box::new(DerivedPath::parse_drv(state, drv).map_err(with_frame)?),
            String::from_utf8_lossy(output).into_owned(),
        ),
    };
    let expected = render(state, &derived)?;
    if s.as_bytes() != expected.as_bytes() {
        let message = match &derived {
            DerivedPath::Opaque(_) => format!("path string '{shown}' has context with the different path '{expected}'"),
            DerivedPath::Built(drv, output) => format!(
                "string '{shown}' has context with the output '{output}' from derivation '{}', but the string is \
                 not the right placeholder for this derivation output. It should be '{expected}'",
                drv.show(state)
            ),
        };
        return Err(with_frame(err(message)));
    }
    Ok(derived)
}

fn output_of(co: Co, args: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let drv =
            coerce_to_derived_path(&co, &args[0], "while evaluating the first argument to builtins.outputOf").await?;
        let output =
            force_string_no_ctx(&co, &args[1], "while evaluating the second argument to builtins.outputOf").await?;
        let result = DerivedPath::Built(Box::new(drv), output.to_str_lossy().into_owned());
        let state = &co.state;
        let text = render(state, &result)?;
        let context = StringContext::from([result.to_context_elem(state)]);
        Ok(Value::string(NixString::new(text.into_bytes(), Some(context))))
    })
}
