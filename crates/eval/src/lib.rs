//! neve-eval: evaluates Nix expressions.
//!
//! Source is parsed by `neve-syntax`, lowered to a resolved HIR ([`hir`]),
//! compiled to bytecode ([`compiler`], [`chunk`]) and run lazily by the
//! virtual machine ([`vm`]) over the values of [`value`]. Builtins live in
//! [`builtins`], one module per family. [`Evaluator`] is the entry point for
//! the command line and for embedders:
//!
//! ```
//! let mut eval = neve_eval::Evaluator::new(Default::default());
//! let v = eval.eval_string("let x = 20; in x * 2 + 2", "/".as_ref()).unwrap();
//! assert_eq!(eval.print_deep(v).unwrap(), "42");
//! ```

pub mod builtins;
pub mod chunk;
pub mod coerce;
pub mod compiler;
pub mod error;
pub mod globals;
pub mod hir;
pub mod io;
pub mod load;
pub mod print;
pub mod regex;
pub mod report;
pub mod source;
pub mod state;
pub mod store;
pub mod symbol;
pub mod value;
pub mod vm;

use std::path::Path;
use std::rc::Rc;

use neve_syntax::{Parse, SyntaxError};

pub use error::{ErrorKind, EvalError, EvalResult};
pub use state::Settings;
pub use value::Value;

use crate::source::Origin;

/// Every error CppNix reports before evaluating a file: its syntax errors,
/// or when there are none, its undefined variables.
pub fn check_file(parse: &Parse, settings: &globals::GlobalSettings) -> Vec<SyntaxError> {
    if !parse.ok() {
        return parse.errors().to_vec();
    }
    let mut interner = symbol::Interner::new();
    hir::lower(parse, &mut interner, &|name| settings.is_global(name)).errors
}

/// One evaluation: its state, and the machine that runs it.
pub struct Evaluator {
    state: Rc<state::EvalState>,
    vm: vm::Vm,
}

impl Evaluator {
    /// An evaluator over the real file system and environment.
    pub fn new(settings: Settings) -> Evaluator {
        Evaluator::with_io(settings, Box::new(io::StdIo))
    }

    /// An evaluator whose file and environment access goes through `io`.
    pub fn with_io(settings: Settings, io: Box<dyn io::EvalIo>) -> Evaluator {
        let state = Rc::new(state::EvalState::new(settings, io));
        builtins::install(&state);
        let vm = vm::Vm::new(state.clone());
        Evaluator { state, vm }
    }

    pub fn state(&self) -> &state::EvalState {
        &self.state
    }

    /// Evaluates a file to weak head normal form.
    pub fn eval_file(&mut self, path: &Path) -> EvalResult<Value> {
        let v = load::load_file(&self.state, path)?;
        self.vm.force(v)
    }

    /// Evaluates an expression; relative paths resolve against `base_dir`.
    pub fn eval_string(&mut self, source: &str, base_dir: &Path) -> EvalResult<Value> {
        let v = load::load_source(&self.state, Origin::String, source.as_bytes(), base_dir)?;
        self.vm.force(v)
    }

    /// Parses an expression into an unevaluated value.
    pub fn parse_string(&mut self, source: &str, base_dir: &Path) -> EvalResult<Value> {
        load::load_source(&self.state, Origin::String, source.as_bytes(), base_dir)
    }

    pub fn force(&mut self, v: Value) -> EvalResult<Value> {
        self.vm.force(v)
    }

    /// Evaluates `v` completely (as `--strict` does).
    pub fn force_deep(&mut self, v: Value) -> EvalResult<Value> {
        self.vm.run_native(|co| Box::pin(async move { vm::deep_force(&co, v, 0).await }))
    }

    /// `v.name`, evaluated.
    pub fn select(&mut self, v: Value, name: &str) -> EvalResult<Value> {
        let v = self.vm.force(v)?;
        let sym = self.state.intern(name);
        let attr = vm::select_attr(&self.state, &v, sym)?;
        self.vm.force(attr)
    }

    /// `f arg`, evaluated.
    pub fn call(&mut self, f: Value, arg: Value) -> EvalResult<Value> {
        self.vm.call(f, arg)
    }

    /// Evaluates `v` completely and prints it as `nix-instantiate --eval`.
    pub fn print_deep(&mut self, v: Value) -> EvalResult<String> {
        let v = self.force_deep(v)?;
        Ok(print::print_value_with(&self.state, &v))
    }

    /// Prints a value as it stands (unevaluated parts as `«thunk»`).
    pub fn print(&self, v: &Value) -> Vec<u8> {
        print::print_value_bytes(&self.state, v)
    }

    /// The error in CppNix's layout: `error: ...`, the trace when
    /// `show_trace` is set, then the position and the code around it.
    pub fn render_error(&self, e: &EvalError) -> String {
        report::render_error(&self.state, e)
    }
}
