//! `builtins.derivation`: the Nix function of
//! `corepkgs/derivation-internal.nix` over `derivationStrict`, and the
//! native code that file calls for the usual case, a derivation without an
//! `outputs` attribute.
//!
//! Why native: nearly every package of a package set is such a
//! derivation, and the general path in Nix (a list of outputs, an element
//! set per output, `listToAttrs`, two `//`, an environment of five thunks)
//! cost about 10 000 instructions and 700 bytes per derivation, as much as
//! a sixth of evaluating the package. Natively the value is one set and
//! five thunks.
//!
//! What must not change is everything a program or a trace can see; the
//! value is the one the Nix path makes for `outputs = [ "out" ]`:
//! - `drvAttrs // { all; drvAttrs; drvPath; out; outPath; outputName;
//!   type; }`, where `out` is the value itself and `all` the list of it;
//! - the added attributes at the positions the Nix path gives them (for
//!   `unsafeGetAttrPos` and "while evaluating the attribute" frames);
//! - nothing forced: `outPath` and `drvPath` select from one shared thunk
//!   that calls `derivationStrict`, and `all` stays a thunk whose element
//!   is one too;
//! - the frames of a failing `derivationStrict`: "while selecting an
//!   attribute" at `strict.${outputName}` or `strict.drvPath`, and "while
//!   calling the 'derivationStrict' builtin" at the call in the file.

use super::args::err;
use super::derivation::derivation_strict_of;
use super::{forcing_args_first_with, native, strict, with_fast, without_trace, PrimOp};
use crate::error::EvalResult;
use crate::load::load_internal;
use crate::source::{FileId, Pos};
use crate::state::EvalState;
use crate::symbol::Symbol;
use crate::value::{Attr, AttrsBuilder, Gc, PrimOpApp, Thunk, ThunkState, Value};
use crate::vm::{Co, NativeFuture};

/// The source of `derivation`.
const DERIVATION_NIX: &str = include_str!("../corepkgs/derivation-internal.nix");

/// The file's own name for the native single-output path.
const SINGLE_OUTPUT: &str = "derivationSingleOutput";

static SINGLE_OUTPUT_OP: PrimOp = without_trace(strict(SINGLE_OUTPUT, 1, single_output));
/// `derivationStrict drvAttrs` as the file calls it, with its frame there.
static STRICT_OP: PrimOp = without_trace(native("derivationStrict", 1, strict_at_call));
// `select` forces its argument first, adding only the frame these add: the
// VM may force it and try `select_now` again, without the future.
static SELECT_OUT_OP: PrimOp = without_trace(forcing_args_first_with(
    with_fast(native("outPath", 1, select_out), |s, a| select_now(s, a, Selected::Out)),
    |s, e| e.with_frame(SELECTING, Some(parts(s).select_out_at)),
));
static SELECT_DRV_PATH_OP: PrimOp = without_trace(forcing_args_first_with(
    with_fast(native("drvPath", 1, select_drv_path), |s, a| select_now(s, a, Selected::DrvPath)),
    |s, e| e.with_frame(SELECTING, Some(parts(s).select_drv_path_at)),
));

/// The frame an error forcing `derivationStrict`'s call gets where
/// `outPath` and `drvPath` select from it.
const SELECTING: &str = "while selecting an attribute";
static ALL_OP: PrimOp = without_trace(strict("all", 1, all_of));

/// What the single-output path shares between derivations: positions in
/// the file, the attribute names, the builtins its thunks apply and the
/// constant attribute values.
pub(crate) struct SingleOutput {
    strict_at: Pos,
    select_out_at: Pos,
    select_drv_path_at: Pos,
    /// The attributes added to `drvAttrs`, in symbol order.
    added: [(Symbol, Option<Pos>, Added); 7],
    derivation_strict: Value,
    select_out: Value,
    select_drv_path: Value,
    all: Value,
    type_derivation: Value,
    out_name: Value,
}

#[derive(Clone, Copy)]
enum Added {
    All,
    DrvAttrs,
    DrvPath,
    Out,
    OutPath,
    OutputName,
    Type,
}

#[derive(Clone, Copy)]
enum Selected {
    Out,
    DrvPath,
}

fn op_value(op: &'static PrimOp) -> Value {
    Value::PrimOp(Gc::new(PrimOpApp { op, args: Vec::new() }))
}

/// `builtins.derivation`: the function of `derivation-internal.nix`, not yet
/// evaluated. Sets up the native single-output path first.
pub(super) fn derivation_value(state: &EvalState) -> Value {
    let mut scope = AttrsBuilder::with_capacity(1);
    scope.insert(state.intern(SINGLE_OUTPUT), op_value(&SINGLE_OUTPUT_OP), None);
    let (value, file) = load_internal(state, "derivation-internal.nix", DERIVATION_NIX, &scope.build());
    // Installed once per evaluator (were it twice, the first file's
    // positions would be as good: the text is the same).
    let _ = state.single_output.set(single_output_parts(state, file));
    value
}

/// The position `skip` bytes into the first occurrence of `anchor` in the
/// file.
fn pos_of(state: &EvalState, file: FileId, anchor: &str, skip: usize) -> Pos {
    let at = DERIVATION_NIX.find(anchor).unwrap_or_else(|| panic!("derivation-internal.nix has `{anchor}`"));
    state.sources.pos(file, (at + skip) as u32)
}

fn single_output_parts(state: &EvalState, file: FileId) -> SingleOutput {
    let pos = |anchor, skip| pos_of(state, file, anchor, skip);
    let mut added = [
        (state.intern("all"), Some(pos("all = map", 0)), Added::All),
        (state.intern("drvAttrs"), Some(pos("inherit drvAttrs;", "inherit ".len())), Added::DrvAttrs),
        (state.drv_path_symbol(), Some(pos("drvPath = strict", 0)), Added::DrvPath),
        // As `listToAttrs` places it: at the element's `value`.
        (state.output_symbol("out"), Some(pos("value = commonAttrs", 0)), Added::Out),
        (state.sym.out_path, Some(pos("outPath = strict", 0)), Added::OutPath),
        (state.intern("outputName"), Some(pos("inherit outputName;", "inherit ".len())), Added::OutputName),
        (state.sym.type_, Some(pos("type = \"derivation\"", 0)), Added::Type),
    ];
    added.sort_by_key(|(name, _, _)| *name);
    SingleOutput {
        strict_at: pos("= derivationStrict drvAttrs", "= ".len()),
        select_out_at: pos("strict.${outputName}", 0),
        select_drv_path_at: pos("strict.drvPath", 0),
        added,
        derivation_strict: op_value(&STRICT_OP),
        select_out: op_value(&SELECT_OUT_OP),
        select_drv_path: op_value(&SELECT_DRV_PATH_OP),
        all: op_value(&ALL_OP),
        type_derivation: Value::string("derivation"),
        out_name: Value::string("out"),
    }
}

fn parts(state: &EvalState) -> &SingleOutput {
    state.single_output.get().expect("set up with `derivation`")
}

/// `derivationSingleOutput drvAttrs`: the value of a derivation whose
/// attributes have no `outputs`.
fn single_output(state: &EvalState, a: &[Value]) -> EvalResult<Value> {
    let Value::Attrs(drv_attrs) = &a[0] else { return Err(err("derivationSingleOutput takes a set")) };
    let parts = parts(state);
    let strict = Thunk::new(ThunkState::Apply { func: parts.derivation_strict.clone(), arg: a[0].clone() });
    // `out` is the value itself: a thunk, filled in once the value exists.
    let out = Thunk::new(ThunkState::Blackhole);
    let applied = |func: &Value, arg: &Value| Thunk::new(ThunkState::Apply { func: func.clone(), arg: arg.clone() });
    let added = parts.added.map(|(name, pos, added)| {
        let value = match added {
            Added::All => applied(&parts.all, &out),
            Added::DrvAttrs => a[0].clone(),
            Added::DrvPath => applied(&parts.select_drv_path, &strict),
            Added::Out => out.clone(),
            Added::OutPath => applied(&parts.select_out, &strict),
            Added::OutputName => parts.out_name.clone(),
            Added::Type => parts.type_derivation.clone(),
        };
        Attr { name, value, pos }
    });
    let result = Value::attrs(drv_attrs.update_sorted(&added));
    if let Value::Thunk(t) = &out {
        t.set(ThunkState::Done(result.clone()));
    }
    Ok(result)
}

fn strict_at_call(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let at = parts(&co.state).strict_at;
        let drv_attrs = a.into_iter().next().expect("arity 1");
        derivation_strict_of(&co, drv_attrs)
            .await
            .map_err(|e| e.with_frame("while calling the 'derivationStrict' builtin", Some(at)))
    })
}

fn select_out(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(select(co, a, Selected::Out))
}

fn select_drv_path(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(select(co, a, Selected::DrvPath))
}

/// `strict.${outputName}` or `strict.drvPath` where `strict` is `a[0]`.
async fn select(co: Co, a: Vec<Value>, selected: Selected) -> EvalResult<Value> {
    let parts = parts(&co.state);
    let at = match selected {
        Selected::Out => parts.select_out_at,
        Selected::DrvPath => parts.select_drv_path_at,
    };
    let strict = co.force(a[0].clone()).await.map_err(|e| e.with_frame(SELECTING, Some(at)))?;
    select_in(&co.state, &strict, selected)
}

/// [`select`] when `derivationStrict`'s result is already there.
fn select_now(state: &EvalState, a: &[Value], selected: Selected) -> Option<EvalResult<Value>> {
    let strict = a[0].resolved()?;
    Some(select_in(state, &strict, selected))
}

fn select_in(state: &EvalState, strict: &Value, selected: Selected) -> EvalResult<Value> {
    let name = match selected {
        Selected::Out => state.output_symbol("out"),
        Selected::DrvPath => state.drv_path_symbol(),
    };
    match strict {
        Value::Attrs(set) => set.get(name).cloned(),
        _ => None,
    }
    .ok_or_else(|| err(format!("attribute '{}' missing", state.name(name))))
}

/// `all`: the list of the outputs' values, here the one output, left
/// unevaluated as `map` leaves the Nix path's.
fn all_of(_: &EvalState, a: &[Value]) -> EvalResult<Value> {
    Ok(Value::list(vec![Thunk::new(ThunkState::Eager(a[0].clone()))]))
}
