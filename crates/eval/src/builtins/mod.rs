//! The builtins: their table and how they are installed as globals. Each
//! family of builtins lives in its own module.

mod archive;
mod arg_context;
pub(crate) mod attrs;
mod closure;
mod context;
mod control;
mod derivation;
mod derivation_wrapper;
mod exec;
mod fetch_closure;
mod fetch_git;
mod fetchers;
mod flake;
mod flake_ref;
mod from_toml;
mod hashing;
mod import_native;
mod imports;
pub mod json;
mod lists;
mod output_of;
mod paths;
mod search_path;
mod store_paths;
mod strings;
mod versions;
pub mod xml;

pub use arg_context::blame_argument;
pub(crate) use derivation_wrapper::SingleOutput;
pub use search_path::corepkg;

use crate::error::{EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::{AttrsBuilder, Gc, PrimOpApp, Value};
use crate::vm::{Co, NativeFuture};

/// How a builtin runs once it has all its arguments.
#[derive(Clone, Copy)]
pub enum Impl {
    /// Every argument is evaluated (to weak head normal form) first.
    Strict(fn(&EvalState, &[Value]) -> EvalResult<Value>),
    /// May evaluate values and call functions through [`Co`].
    Native(fn(Co, Vec<Value>) -> NativeFuture),
}

/// A native builtin's shortcut: its result when the arguments are such that
/// nothing needs evaluating (no thunk to run, no function to call), with the
/// errors the native would give; `None` to run the native.
pub type FastPath = fn(&EvalState, &[Value]) -> Option<EvalResult<Value>>;

pub struct PrimOp {
    pub name: &'static str,
    pub arity: u8,
    pub imp: Impl,
    /// Whether its errors get "while calling the 'X' builtin" (CppNix's
    /// `PrimOp::addTrace`).
    pub add_trace: bool,
    /// For `Impl::Native`: tried first, saving the future and its round
    /// trips through the VM.
    pub fast: Option<FastPath>,
    /// For `Impl::Native` with a fast path: the builtin forces its
    /// arguments, in order, before anything else, and adds no frame of its
    /// own to an error forcing one (or just `force_error`'s). The VM may
    /// then force them itself and try the fast path again (the errors come
    /// out the same: a native's get the "while calling" frame either way).
    pub forces_args_first: bool,
    /// What the builtin adds to an error forcing an argument, for
    /// `forces_args_first`.
    pub force_error: Option<fn(&EvalState, EvalError) -> EvalError>,
}

pub(crate) const fn strict(name: &'static str, arity: u8, f: fn(&EvalState, &[Value]) -> EvalResult<Value>) -> PrimOp {
    PrimOp {
        name,
        arity,
        imp: Impl::Strict(f),
        add_trace: true,
        fast: None,
        forces_args_first: false,
        force_error: None,
    }
}

pub(crate) const fn native(name: &'static str, arity: u8, f: fn(Co, Vec<Value>) -> NativeFuture) -> PrimOp {
    PrimOp {
        name,
        arity,
        imp: Impl::Native(f),
        add_trace: true,
        fast: None,
        forces_args_first: false,
        force_error: None,
    }
}

/// `op` with a shortcut for arguments that need no evaluation.
pub(crate) const fn with_fast(op: PrimOp, fast: FastPath) -> PrimOp {
    PrimOp { fast: Some(fast), ..op }
}

/// `op`, which forces its arguments first (see `PrimOp::forces_args_first`).
pub(crate) const fn forcing_args_first(op: PrimOp) -> PrimOp {
    PrimOp { forces_args_first: true, ..op }
}

/// `op`, which forces its arguments first and adds `frame` to an error
/// forcing one (see `PrimOp::force_error`).
pub(crate) const fn forcing_args_first_with(op: PrimOp, frame: fn(&EvalState, EvalError) -> EvalError) -> PrimOp {
    PrimOp { forces_args_first: true, force_error: Some(frame), ..op }
}

/// `op` without the "while calling the builtin" frame.
pub(crate) const fn without_trace(op: PrimOp) -> PrimOp {
    PrimOp { add_trace: false, ..op }
}

/// `(from, name)` -> `from.name`, for `inherit (from) name`.
pub static SELECT_ATTR: PrimOp = native("selectAttr", 2, |co, args| {
    Box::pin(async move {
        let [from, name] =
            <[Value; 2]>::try_from(args).unwrap_or_else(|_| unreachable!("selectAttr takes two arguments"));
        let set = co.force(from).await?;
        let Value::String(name) = name else { unreachable!("the name is a string") };
        let sym = co.state.intern_string(&name);
        let v = crate::vm::select_attr(&co.state, &set, sym)?;
        co.force(v).await
    })
});

/// No builtin takes more arguments than this (checked by a test), so the
/// compiler looks no further down an application's spine for one.
pub(crate) const MAX_ARITY: usize = 3;

fn all_primops() -> impl Iterator<Item = &'static PrimOp> {
    control::PRIMOPS
        .iter()
        .chain(attrs::PRIMOPS)
        .chain(lists::PRIMOPS)
        .chain(strings::PRIMOPS)
        .chain(paths::PRIMOPS)
        .chain(derivation::PRIMOPS)
        .chain(store_paths::PRIMOPS)
        .chain(json::PRIMOPS)
        .chain(xml::PRIMOPS)
        .chain(from_toml::PRIMOPS)
        .chain(versions::PRIMOPS)
        .chain(closure::PRIMOPS)
        .chain(hashing::PRIMOPS)
        .chain(context::PRIMOPS)
        .chain(search_path::PRIMOPS)
        .chain(imports::PRIMOPS)
        .chain(fetchers::PRIMOPS)
        .chain(flake_ref::PRIMOPS)
        .chain(flake::PRIMOPS)
        .chain(exec::PRIMOPS)
        .chain(output_of::PRIMOPS)
        .chain(import_native::PRIMOPS)
        .chain(fetch_closure::PRIMOPS)
}

/// Names available without `builtins.` (besides `__`-prefixed ones).
const PLAIN_GLOBALS: &[&str] = &[
    "abort",
    "baseNameOf",
    "break",
    "derivation",
    "derivationStrict",
    "dirOf",
    "false",
    "fetchGit",
    "fetchMercurial",
    "fetchTarball",
    "fetchTree",
    "fromTOML",
    "import",
    "isNull",
    "map",
    "null",
    "placeholder",
    "removeAttrs",
    "scopedImport",
    "throw",
    "toString",
    "true",
];

/// Puts every builtin and constant into the global environment and the
/// `builtins` set.
pub fn install(state: &EvalState) {
    let mut set = AttrsBuilder::with_capacity(160);
    let mut add = |name: &str, value: Value| {
        // A builtin whose condition does not hold (an experimental feature
        // not enabled, unsafe native code, impure constants under pure
        // evaluation) is neither global nor in `builtins`, as in CppNix.
        let sym = state.intern(name);
        let global = if PLAIN_GLOBALS.contains(&name) { name.to_string() } else { format!("__{name}") };
        if state.settings.globals.is_global(global.as_bytes()) {
            set.insert(sym, value.clone(), None);
            state.set_global(state.intern(global), value);
        }
    };
    for op in all_primops() {
        add(op.name, Value::PrimOp(Gc::new(PrimOpApp { op, args: Vec::new() })));
    }
    add("derivation", derivation_wrapper::derivation_value(state));
    for (name, value) in control::constants(state) {
        add(name, value);
    }
    add("true", Value::Bool(true));
    add("false", Value::Bool(false));
    add("null", Value::Null);
    // `builtins` contains itself.
    let builtins_sym = state.intern("builtins");
    let placeholder = crate::value::Thunk::new(crate::value::ThunkState::Blackhole);
    set.insert(builtins_sym, placeholder.clone(), None);
    let value = Value::attrs(set.build());
    if let Value::Thunk(t) = &placeholder {
        t.set(crate::value::ThunkState::Done(value.clone()));
    }
    state.set_global(builtins_sym, value);
}

/// Argument helpers shared by the families.
pub(crate) mod args {
    use crate::error::{EvalError, EvalResult};
    use crate::source::Pos;
    use crate::state::EvalState;
    use crate::value::{Attrs, Gc, List, NixString, Value};
    use crate::vm::{type_error, Co};

    /// `f x` run here when `f` is a builtin that `x` completes and whose
    /// arguments are all evaluated: a strict builtin, or a native one whose
    /// shortcut applies. The result is what the builtin returned (perhaps a
    /// thunk, which the caller forces as the VM would). `None` when it did
    /// not apply or failed: the call then goes through the VM, which gives
    /// the error with its frames.
    pub fn call_builtin_now(state: &EvalState, f: &Value, x: &Value) -> Option<Value> {
        let Value::PrimOp(app) = f else { return None };
        if app.args.len() + 1 != app.op.arity as usize {
            return None;
        }
        let run = |all: &[Value]| match app.op.imp {
            super::Impl::Strict(g) => g(state, all).ok(),
            super::Impl::Native(_) => (app.op.fast?)(state, all)?.ok(),
        };
        // The usual arities without a vector.
        match &app.args[..] {
            [] => run(&[x.resolved()?]),
            [a] => {
                let a = a.resolved()?;
                run(&[a, x.resolved()?])
            }
            _ => {
                let mut all = Vec::with_capacity(app.args.len() + 1);
                for a in app.args.iter().chain(std::iter::once(x)) {
                    all.push(a.resolved()?);
                }
                run(&all)
            }
        }
    }

    pub fn int(state: &EvalState, v: &Value) -> EvalResult<i64> {
        match v {
            Value::Int(i) => Ok(*i),
            other => Err(type_error(state, "an integer", other)),
        }
    }

    pub fn list<'a>(state: &EvalState, v: &'a Value) -> EvalResult<&'a Gc<List>> {
        match v {
            Value::List(l) => Ok(l),
            other => Err(type_error(state, "a list", other)),
        }
    }

    pub fn attrs<'a>(state: &EvalState, v: &'a Value) -> EvalResult<&'a Attrs> {
        match v {
            Value::Attrs(a) => Ok(a),
            other => Err(type_error(state, "a set", other)),
        }
    }

    pub fn string<'a>(state: &EvalState, v: &'a Value) -> EvalResult<&'a NixString> {
        match v {
            Value::String(s) => Ok(s),
            other => Err(type_error(state, "a string", other)),
        }
    }

    pub fn bool(state: &EvalState, v: &Value) -> EvalResult<bool> {
        match v {
            Value::Bool(b) => Ok(*b),
            other => Err(type_error(state, "a Boolean", other)),
        }
    }

    pub fn function(state: &EvalState, v: &Value) -> EvalResult<()> {
        match v {
            Value::Lambda(_) | Value::PrimOp(_) => Ok(()),
            Value::Attrs(a) if a.get(state.sym.functor).is_some() => Ok(()),
            other => Err(type_error(state, "a function", other)),
        }
    }

    pub fn err(msg: impl Into<String>) -> EvalError {
        EvalError::eval(msg)
    }

    /// Adds CppNix's `errorCtx` frame (`… while evaluating the first
    /// argument passed to builtins.X`) to a failed check.
    pub trait Context<T> {
        fn context(self, frame: &str) -> EvalResult<T>;
    }

    impl<T> Context<T> for EvalResult<T> {
        fn context(self, frame: &str) -> EvalResult<T> {
            self.map_err(|e| e.with_frame(frame, None))
        }
    }

    // The `force_*` helpers follow CppNix's `forceList`, `forceFunction`,
    // ...: the frame goes on the type error, and for the scalar kinds
    // (`forceInt`, `forceBool`, `forceString`, `forceFunction`) on errors
    // raised while evaluating the value as well.

    pub async fn force_list(co: &Co, v: &Value, frame: &str) -> EvalResult<Gc<List>> {
        let v = co.force(v.clone()).await?;
        list(&co.state, &v).cloned().context(frame)
    }

    pub async fn force_attrs(co: &Co, v: &Value, frame: &str) -> EvalResult<Attrs> {
        let v = co.force(v.clone()).await?;
        attrs(&co.state, &v).cloned().context(frame)
    }

    pub async fn force_function(co: &Co, v: &Value, frame: &str) -> EvalResult<Value> {
        let f = co.force(v.clone()).await.context(frame)?;
        function(&co.state, &f).context(frame)?;
        Ok(f)
    }

    pub async fn force_bool(co: &Co, v: Value, frame: &str) -> EvalResult<bool> {
        let v = co.force(v).await.context(frame)?;
        bool(&co.state, &v).context(frame)
    }

    pub async fn force_int(co: &Co, v: &Value, frame: &str) -> EvalResult<i64> {
        let v = co.force(v.clone()).await.context(frame)?;
        int(&co.state, &v).context(frame)
    }

    pub async fn force_string(co: &Co, v: &Value, frame: &str) -> EvalResult<NixString> {
        let v = co.force(v.clone()).await.context(frame)?;
        match v {
            Value::String(s) => Ok(s),
            other => Err(type_error(&co.state, "a string", &other)).context(frame),
        }
    }

    /// `forceStringNoCtx`: a string without context.
    pub async fn force_string_no_ctx(co: &Co, v: &Value, frame: &str) -> EvalResult<NixString> {
        force_string_no_ctx_at(co, v, frame, None).await
    }

    /// `forceStringNoCtx` with a position: the error and the frame are
    /// both located there.
    pub async fn force_string_no_ctx_at(co: &Co, v: &Value, frame: &str, pos: Option<Pos>) -> EvalResult<NixString> {
        let v = co.force(v.clone()).await.map_err(|e| e.with_frame(frame, pos))?;
        string_no_ctx_at(&co.state, v, frame, pos)
    }

    /// What [`force_string_no_ctx_at`] makes of the value once forced.
    pub fn string_no_ctx_at(state: &EvalState, v: Value, frame: &str, pos: Option<Pos>) -> EvalResult<NixString> {
        match v {
            Value::String(s) => super::json::string_no_context(state, &Value::String(s), frame).inspect_err(|e| {
                e.trace.edit_last(|f| f.pos = pos);
            }),
            other => Err(type_error(state, "a string", &other).at_opt(pos).with_frame(frame, pos)),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_builtin_takes_more_than_max_arity_arguments() {
        let widest = super::all_primops().map(|op| op.arity as usize).max();
        assert_eq!(widest, Some(super::MAX_ARITY));
    }
}
