//! The state of one evaluation: names, sources, settings, globals, caches.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;

use crate::globals::GlobalSettings;
use crate::io::EvalIo;
use crate::source::{Pos, SourceMap};
use crate::store::EvalStore;
use crate::symbol::{Interner, Symbol};
use crate::value::Value;

/// Evaluation settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub max_call_depth: usize,
    pub globals: GlobalSettings,
    /// `-I` entries then `NIX_PATH`: `(prefix, path)`, prefix empty for a
    /// plain directory.
    pub nix_path: Vec<(String, String)>,
    pub show_trace: bool,
    pub lint_short_path_literals: LintLevel,
    pub lint_absolute_path_literals: LintLevel,
    pub lint_url_literals: LintLevel,
    /// `builtins.warn` fails after warning, so the trace shows where the
    /// warning came from (`--abort-on-warn`, `NIX_ABORT_ON_WARN`).
    pub abort_on_warn: bool,
    /// `builtins.traceVerbose` traces (`--trace-verbose`).
    pub trace_verbose: bool,
}

/// What to do about a lint: nothing, warn, or fail as a parse error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LintLevel {
    #[default]
    Off,
    Warn,
    Fatal,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_call_depth: 10000,
            globals: GlobalSettings::default(),
            nix_path: Vec::new(),
            show_trace: false,
            lint_short_path_literals: LintLevel::Off,
            lint_absolute_path_literals: LintLevel::Off,
            lint_url_literals: LintLevel::Off,
            abort_on_warn: false,
            trace_verbose: false,
        }
    }
}

/// Names the evaluator itself looks up, interned once.
pub struct KnownSymbols {
    pub functor: Symbol,
    pub out_path: Symbol,
    pub to_string: Symbol,
    pub type_: Symbol,
    pub name: Symbol,
    pub value: Symbol,
    pub success: Symbol,
    pub overrides: Symbol,
}

pub struct EvalState {
    interner: RefCell<Interner>,
    pub sources: SourceMap,
    pub settings: Settings,
    pub sym: KnownSymbols,
    /// By symbol index: globals are interned first, so the table is short,
    /// and a lookup (every `builtins`, `true`, `null`) is an index.
    globals: RefCell<Vec<Option<Value>>>,
    pub io: Box<dyn EvalIo>,
    /// Files already imported, by path: each is evaluated once.
    pub import_cache: RefCell<HashMap<Vec<u8>, Value>>,
    /// Sources already given store paths, by file system path.
    pub store_paths: RefCell<HashMap<Vec<u8>, Vec<u8>>>,
    /// What the evaluation put in the store (see [`crate::store`]).
    pub store: std::rc::Rc<RefCell<EvalStore>>,
    /// Call depth that Rust routines add to the VM's while they run (deep
    /// forcing counts its levels, as CppNix's recursive `forceValueDeep`).
    pub extra_call_depth: std::cell::Cell<usize>,
    /// The call depth beneath the native routine being run (the VM's calls
    /// and `extra_call_depth`), set before each time one is resumed: a
    /// routine that recurses as CppNix's do (`printValueAsJSON` counts a
    /// call per level) counts on from there.
    pub native_call_depth: std::cell::Cell<usize>,
    /// Names interned when first needed (interning them up front would
    /// change the order of symbols, which is the order of sets), then
    /// remembered: each lookup of a name is a probe of a table as large as
    /// all names, which misses the cache once evaluations get big.
    drv_path: std::cell::OnceCell<Symbol>,
    out: std::cell::OnceCell<Symbol>,
    /// What `derivation`'s native single-output path shares.
    pub(crate) single_output: std::cell::OnceCell<crate::builtins::SingleOutput>,
}

impl EvalState {
    pub fn new(settings: Settings, io: Box<dyn EvalIo>) -> EvalState {
        let mut interner = Interner::new();
        let sym = KnownSymbols {
            functor: interner.intern("__functor"),
            out_path: interner.intern("outPath"),
            to_string: interner.intern("__toString"),
            type_: interner.intern("type"),
            name: interner.intern("name"),
            value: interner.intern("value"),
            success: interner.intern("success"),
            overrides: interner.intern("__overrides"),
        };
        let store = std::rc::Rc::new(RefCell::new(EvalStore::default()));
        let io = Box::new(crate::io::StoreIo { inner: io, store: store.clone() });
        EvalState {
            interner: RefCell::new(interner),
            sources: SourceMap::default(),
            settings,
            sym,
            globals: RefCell::new(Vec::new()),
            io,
            import_cache: RefCell::new(HashMap::default()),
            store_paths: RefCell::new(HashMap::default()),
            store,
            extra_call_depth: std::cell::Cell::new(0),
            native_call_depth: std::cell::Cell::new(0),
            drv_path: std::cell::OnceCell::new(),
            out: std::cell::OnceCell::new(),
            single_output: std::cell::OnceCell::new(),
        }
    }

    pub fn intern(&self, name: impl AsRef<[u8]>) -> Symbol {
        self.interner.borrow_mut().intern(name)
    }

    /// `drvPath`, which every derivation's result names.
    pub fn drv_path_symbol(&self) -> Symbol {
        *self.drv_path.get_or_init(|| self.intern("drvPath"))
    }

    /// An output's name; `out`, the usual one, is remembered.
    pub fn output_symbol(&self, output: &str) -> Symbol {
        match output {
            "out" => *self.out.get_or_init(|| self.intern("out")),
            other => self.intern(other),
        }
    }

    /// The symbol of a string's text, remembered in the string: interning
    /// the same string value again costs no hashing.
    pub fn intern_string(&self, s: &crate::value::NixString) -> Symbol {
        self.interner.borrow_mut().intern_string(s)
    }

    /// The name as a string value, which knows its symbol.
    pub fn name_string(&self, sym: Symbol) -> crate::value::NixString {
        self.interner.borrow().string(sym)
    }

    pub fn name(&self, sym: Symbol) -> String {
        self.interner.borrow().display(sym).into_owned()
    }

    pub fn name_bytes(&self, sym: Symbol) -> Vec<u8> {
        self.interner.borrow().resolve(sym).to_vec()
    }

    /// Reads names without copying them (the interner is borrowed for the
    /// call: `f` must not intern).
    pub fn with_names<T>(&self, f: impl FnOnce(&Interner) -> T) -> T {
        f(&self.interner.borrow())
    }

    pub fn with_interner<T>(&self, f: impl FnOnce(&mut Interner) -> T) -> T {
        f(&mut self.interner.borrow_mut())
    }

    pub fn global(&self, name: Symbol) -> Option<Value> {
        self.globals.borrow().get(name.index() as usize).cloned().flatten()
    }

    /// The names bound in the global environment, sorted.
    pub fn global_names(&self) -> Vec<Vec<u8>> {
        let names: Vec<Symbol> = self.with_names(|names| {
            self.globals
                .borrow()
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_some())
                .filter_map(|(i, _)| names.lookup_index(i))
                .collect()
        });
        let mut names: Vec<Vec<u8>> = names.into_iter().map(|s| self.name_bytes(s)).collect();
        names.sort();
        names
    }

    pub fn set_global(&self, name: Symbol, value: Value) {
        let mut globals = self.globals.borrow_mut();
        let i = name.index() as usize;
        if globals.len() <= i {
            globals.resize(i + 1, None);
        }
        globals[i] = Some(value);
    }

    /// `FILE:LINE:COL` as CppNix prints positions inside messages.
    pub fn show_pos(&self, pos: Option<Pos>) -> String {
        match pos {
            Some(p) => {
                let (line, col) = self.sources.line_col(p);
                format!("{}:{line}:{col}", self.sources.origin_label(self.sources.resolve(p).0))
            }
            None => "«none»:0".to_string(),
        }
    }
}
