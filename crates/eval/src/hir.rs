//! The high-level IR: Nix after parsing, desugared and resolved.
//!
//! Lowering (in `hir/lower.rs`) turns the syntax tree into a flat arena of
//! expressions where attribute paths are merged into nested sets, `inherit`
//! is explicit, `let { }`, `<path>`, pipes and operator sugar are expanded as
//! CppNix expands them, and every variable is resolved at compile time:
//! to a slot of an enclosing environment, to a global, or (only under
//! `with`) to a dynamic lookup. Undefined variables are reported here, as
//! CppNix reports them after parsing. The compiler turns this into bytecode;
//! the language server can read it for scopes.

mod lower;

use neve_syntax::ast::PathKind;
use neve_syntax::{TextRange, TextSize};

pub use lower::{lower, lower_in_scope, Lint, LintKind, LowerResult};

use crate::symbol::Symbol;

/// An expression's index in [`Hir::exprs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExprId(pub u32);

/// One lowered file (or `-E` expression).
#[derive(Debug, Clone, Default)]
pub struct Hir {
    pub exprs: Vec<Expr>,
    /// The source range of each expression, for errors and `__curPos`.
    pub ranges: Vec<TextRange>,
    /// Where the `${` of an interpolated expression is (CppNix reports
    /// coercion errors there).
    pub interpolation_starts: std::collections::HashMap<ExprId, TextSize>,
    /// Where the operands of a `+` are written, parentheses included
    /// (CppNix reports errors about one operand there).
    pub operand_starts: std::collections::HashMap<ExprId, [TextSize; 2]>,
    pub root: Option<ExprId>,
}

impl Hir {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.0 as usize]
    }

    pub fn range(&self, id: ExprId) -> TextRange {
        self.ranges[id.0 as usize]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A part of the tree that did not parse; never evaluated, since a
    /// file with syntax errors is not evaluated.
    Missing,
    Int(i64),
    Float(f64),
    /// A string without interpolation, as bytes.
    Str(Box<[u8]>),
    /// A URL literal, kept apart for the URL-literal lint.
    Uri(Box<str>),
    /// A path literal's first piece, as written (`./a`, `/b/`, `~/c`).
    Path {
        kind: PathKind,
        literal: Box<str>,
    },
    /// Concatenation of pieces: an interpolated string (`force_string`) or
    /// an interpolated path (the first piece is then a `Path`).
    Interpolated {
        parts: Vec<Part>,
        force_string: bool,
    },
    Var(Var),
    /// `__curPos`
    CurPos,
    List(Vec<ExprId>),
    Attrs(Box<Attrs>),
    /// `let bindings in body`: the bindings fill a new environment, in order.
    Let(Box<Let>),
    Lambda(Box<Lambda>),
    Apply {
        func: ExprId,
        arg: ExprId,
    },
    Select {
        expr: ExprId,
        path: Vec<AttrName>,
        default: Option<ExprId>,
    },
    HasAttr {
        expr: ExprId,
        path: Vec<AttrName>,
    },
    /// `with namespace; body`: the body runs in a new `with` environment.
    With {
        namespace: ExprId,
        body: ExprId,
    },
    Assert {
        cond: ExprId,
        body: ExprId,
    },
    If {
        cond: ExprId,
        then_body: ExprId,
        else_body: ExprId,
    },
    Binary {
        op: BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
    },
    Not(ExprId),
    /// `-e`, when `__sub` is the builtin (else it lowers to a call).
    Negate(ExprId),
}

/// Binary operators. `Sub`, `Mul`, `Div`, `Lt`, `Le`, `Gt`, `Ge` appear only
/// when their CppNix desugaring (`__sub`, `__mul`, `__div`, `__lessThan`)
/// names the builtin; when a user binds those names, the operator lowers to
/// a call of the user's function, as in CppNix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Eq,
    Neq,
    And,
    Or,
    Impl,
    Update,
    Concat,
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(Box<[u8]>),
    Expr(ExprId),
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttrName {
    Static(Symbol),
    Dynamic(ExprId),
}

/// Where a variable's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// Slot `slot` of the environment `level` steps out from the current one.
    Local { level: u32, slot: u32, name: Symbol },
    /// A name of the global environment (`true`, `map`, `builtins`, ...).
    Global(Symbol),
    /// Not bound lexically: looked up at run time in the `with` environments,
    /// innermost first, starting `level` steps out.
    With { level: u32, name: Symbol },
    /// Reported as an undefined variable.
    Undefined(Symbol),
}

impl Var {
    /// The name as written.
    pub fn name(self) -> Symbol {
        match self {
            Var::Local { name, .. } | Var::Global(name) | Var::With { name, .. } | Var::Undefined(name) => name,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attrs {
    /// A `rec` set evaluates its values (and `inherit (e)` sources) in a new
    /// environment holding its static attributes, in `attrs` order, followed
    /// by one slot per `inherit_from` source.
    pub rec: bool,
    pub attrs: Vec<AttrDef>,
    pub dynamic: Vec<DynamicAttr>,
    /// The `e` of each `inherit (e) ...`, evaluated once and shared.
    pub inherit_from: Vec<ExprId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttrDef {
    pub name: Symbol,
    /// Where the attribute is defined (for `unsafeGetAttrPos` and errors).
    pub range: TextRange,
    pub value: AttrValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    Expr(ExprId),
    /// `inherit name;`: resolved in the scope enclosing the set or `let`.
    Inherit(Var),
    /// `inherit (inherit_from[source]) name;`
    InheritFrom {
        source: u32,
        name: Symbol,
        range: TextRange,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DynamicAttr {
    pub name: ExprId,
    pub value: ExprId,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    /// The new environment: `bindings` in order, then one slot per
    /// `inherit_from` source.
    pub bindings: Vec<AttrDef>,
    pub inherit_from: Vec<ExprId>,
    pub body: ExprId,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    /// The attribute or `let` name the function was bound to, for traces.
    pub name: Option<Symbol>,
    /// `x: ...` or the `@` name. Its environment holds the argument in slot
    /// 0 (named or not), then the formals in symbol order from slot 1.
    pub arg: Option<Symbol>,
    pub formals: Option<Formals>,
    pub body: ExprId,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Formals {
    /// Sorted by symbol, as CppNix keeps them.
    pub entries: Vec<Formal>,
    pub ellipsis: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Formal {
    pub name: Symbol,
    pub default: Option<ExprId>,
    pub range: TextRange,
}
