//! Syntax tree to HIR, resolving every variable on the way.

use std::collections::HashMap;

use neve_syntax::ast::{self, AstNode, InterpolPart, PathKind};
use neve_syntax::bindings::{self, AttrTree, AttrValue as TreeValue};
use neve_syntax::{Parse, SyntaxError, SyntaxKind, SyntaxNode, TextRange};

use super::*;
use crate::symbol::Interner;

pub struct LowerResult {
    pub hir: Hir,
    /// Undefined variables, in source order.
    pub errors: Vec<SyntaxError>,
    /// Things CppNix may warn about while parsing, in source order; the
    /// settings decide which are reported.
    pub lints: Vec<Lint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintKind {
    /// `f or` as an argument, list element or default: its meaning will
    /// change. Always a warning.
    CursedOr,
    /// A relative path literal not starting with `.`.
    ShortPath,
    /// An absolute path literal.
    AbsolutePath,
    /// A `~/` path literal.
    HomePath,
    /// A URL literal.
    Url,
    /// `|>` or `<|`, which need the `pipe-operators` experimental feature.
    PipeOperator,
}

#[derive(Debug, Clone)]
pub struct Lint {
    pub kind: LintKind,
    pub range: TextRange,
    /// The literal, or for `CursedOr` the expression's source text.
    pub text: String,
}

/// Lowers a parsed file. `is_global` says which names the global
/// environment binds (it depends on the evaluation's settings).
pub fn lower(parse: &Parse, interner: &mut Interner, is_global: &dyn Fn(&[u8]) -> bool) -> LowerResult {
    lower_in_scope(parse, interner, is_global, &[])
}

/// Lowers a file under an extra static scope between it and the globals
/// (what `scopedImport` gives): `scope[i]` is slot `i` of the environment
/// the file's code runs in, and shadows a global of the same name.
pub fn lower_in_scope(
    parse: &Parse,
    interner: &mut Interner,
    is_global: &dyn Fn(&[u8]) -> bool,
    scope: &[Symbol],
) -> LowerResult {
    let root = parse.root();
    intern_names_in_source_order(root.syntax(), interner, parse.has_mapped_bytes());
    let mut scopes = Vec::new();
    if !scope.is_empty() {
        scopes.push(Scope::Static(scope.iter().enumerate().map(|(i, &name)| (name, i as u32)).collect()));
    }
    let mut lowerer = Lowerer {
        hir: Hir::default(),
        interner,
        is_global,
        scopes,
        errors: Vec::new(),
        lints: Vec::new(),
        mapped_bytes: parse.has_mapped_bytes(),
    };
    let root_expr = lowerer.expr(root.expr());
    lowerer.hir.root = Some(root_expr);
    let mut errors = lowerer.errors;
    errors.sort_by_key(|e| e.range.start());
    let mut lints = lowerer.lints;
    lints.sort_by_key(|l| l.range.start());
    LowerResult { hir: lowerer.hir, errors, lints }
}

/// CppNix creates symbols as its parser meets names, so attribute sets
/// order their attributes by first appearance in the source. Interning every
/// name up front, in source order, gives the same order.
fn intern_names_in_source_order(root: &SyntaxNode, interner: &mut Interner, mapped: bool) {
    for node in root.descendants() {
        match node.kind() {
            SyntaxKind::NAME | SyntaxKind::IDENT_EXPR => {
                if let Some(t) = node.first_token() {
                    interner.intern(t.text());
                }
            }
            SyntaxKind::STRING if node.parent().is_some_and(|p| p.kind() == SyntaxKind::ATTRPATH) => {
                if let Some(name) = ast::Str::cast(node).and_then(|s| s.static_value()) {
                    interner.intern(text_bytes(&name, mapped));
                }
            }
            _ => {}
        }
    }
}

fn text_bytes(text: &str, mapped: bool) -> Vec<u8> {
    if mapped {
        neve_syntax::source::unmap_bytes(text)
    } else {
        text.as_bytes().to_vec()
    }
}

enum Scope {
    /// Names bound to slots of one environment.
    Static(HashMap<Symbol, u32>),
    /// The environment of a `with`.
    With,
}

struct Lowerer<'a> {
    hir: Hir,
    interner: &'a mut Interner,
    is_global: &'a dyn Fn(&[u8]) -> bool,
    scopes: Vec<Scope>,
    errors: Vec<SyntaxError>,
    lints: Vec<Lint>,
    mapped_bytes: bool,
}

/// `f or` as parsed for nixpkgs' old function named `or`: an application
/// whose argument is the keyword.
fn is_cursed_or(e: &ast::Expr) -> bool {
    match e {
        ast::Expr::Apply(a) => matches!(
            a.argument(),
            Some(ast::Expr::IdentExpr(i)) if i.token().is_some_and(|t| t.kind() == SyntaxKind::OR_KW)
        ),
        _ => false,
    }
}

impl Lowerer<'_> {
    fn alloc(&mut self, expr: Expr, range: TextRange) -> ExprId {
        let id = ExprId(self.hir.exprs.len() as u32);
        self.hir.exprs.push(expr);
        self.hir.ranges.push(range);
        id
    }

    fn bytes(&self, text: &str) -> Vec<u8> {
        text_bytes(text, self.mapped_bytes)
    }

    fn sym(&mut self, text: &str) -> Symbol {
        let bytes = self.bytes(text);
        self.interner.intern(bytes)
    }

    /// Resolves `name` seen from the innermost `depth` scopes.
    fn resolve_in(&mut self, name: Symbol, depth: usize, range: TextRange) -> Var {
        let mut with_level = None;
        for (level, scope) in self.scopes[..depth].iter().rev().enumerate() {
            match scope {
                Scope::With => {
                    with_level.get_or_insert(level as u32);
                }
                Scope::Static(names) => {
                    if let Some(&slot) = names.get(&name) {
                        return Var::Local { level: level as u32, slot, name };
                    }
                }
            }
        }
        // The global environment is lexical too, so it beats `with`.
        if (self.is_global)(self.interner.resolve(name)) {
            return Var::Global(name);
        }
        if let Some(level) = with_level {
            return Var::With { level, name };
        }
        let message = format!("undefined variable '{}'", self.interner.display(name));
        self.errors.push(SyntaxError::new(message, range));
        Var::Undefined(name)
    }

    fn resolve(&mut self, name: Symbol, range: TextRange) -> Var {
        self.resolve_in(name, self.scopes.len(), range)
    }

    /// Nix strings cannot hold NUL bytes; CppNix rejects them while parsing.
    fn check_nul(&mut self, text: &str, range: TextRange) {
        if text.contains('\0') {
            let shown = text.replace('\0', "\u{2400}");
            self.errors.push(SyntaxError::new(
                format!("input string '{shown}' cannot be represented as Nix string because it contains null bytes"),
                range,
            ));
        }
    }

    /// Notes a cursed `or` in a position where its meaning will change.
    fn check_cursed_or(&mut self, e: &Option<ast::Expr>) {
        if let Some(e) = e {
            if is_cursed_or(e) {
                let range = e.syntax().text_range();
                self.lints.push(Lint { kind: LintKind::CursedOr, range, text: e.syntax().text().to_string() });
            }
        }
    }

    fn missing(&mut self, range: TextRange) -> ExprId {
        self.alloc(Expr::Missing, range)
    }

    fn expr(&mut self, expr: Option<ast::Expr>) -> ExprId {
        match expr {
            Some(e) => self.lower_expr(e, None),
            None => self.missing(TextRange::default()),
        }
    }

    fn opt_expr(&mut self, expr: Option<ast::Expr>, fallback: TextRange) -> ExprId {
        match expr {
            Some(e) => self.lower_expr(e, None),
            None => self.missing(fallback),
        }
    }

    /// Lowers `e`; `name` is the binding it is the value of, for lambdas.
    fn lower_expr(&mut self, e: ast::Expr, name: Option<Symbol>) -> ExprId {
        neve_syntax::stack::grow(|| self.lower_expr_here(e, name))
    }

    fn lower_expr_here(&mut self, e: ast::Expr, name: Option<Symbol>) -> ExprId {
        let range = e.syntax().text_range();
        match e {
            ast::Expr::Apply(a) => {
                self.check_cursed_or(&a.argument());
                let func = self.opt_expr(a.function(), range);
                let arg = self.opt_expr(a.argument(), range);
                self.alloc(Expr::Apply { func, arg }, range)
            }
            ast::Expr::Assert(a) => {
                let cond = self.opt_expr(a.condition(), range);
                let body = self.opt_expr(a.body(), range);
                self.alloc(Expr::Assert { cond, body }, range)
            }
            ast::Expr::AttrSet(s) => {
                let tree = bindings::merge(s.syntax(), &mut Vec::new());
                self.attr_tree(tree, range)
            }
            ast::Expr::BinaryOp(b) => self.binary(b, range),
            ast::Expr::HasAttr(h) => {
                let expr = self.opt_expr(h.expr(), range);
                let path = self.attrpath(h.attrpath());
                self.alloc(Expr::HasAttr { expr, path }, range)
            }
            ast::Expr::IdentExpr(i) => {
                let Some(tok) = i.token() else { return self.missing(range) };
                if tok.text() == "__curPos" {
                    return self.alloc(Expr::CurPos, range);
                }
                let sym = self.sym(tok.text());
                let var = self.resolve(sym, range);
                self.alloc(Expr::Var(var), range)
            }
            ast::Expr::IfElse(i) => {
                let cond = self.opt_expr(i.condition(), range);
                let then_body = self.opt_expr(i.then_body(), range);
                let else_body = self.opt_expr(i.else_body(), range);
                self.alloc(Expr::If { cond, then_body, else_body }, range)
            }
            ast::Expr::IndString(s) => self.ind_string(&s, range),
            ast::Expr::Lambda(l) => self.lambda(l, name, range),
            ast::Expr::LegacyLet(l) => {
                // `let { ... }` is `(rec { ... }).body`.
                let tree = bindings::merge(l.syntax(), &mut Vec::new());
                let set = self.attr_tree(tree, range);
                let body = self.interner.intern("body");
                self.alloc(Expr::Select { expr: set, path: vec![AttrName::Static(body)], default: None }, range)
            }
            ast::Expr::LetIn(l) => self.let_in(l, range),
            ast::Expr::List(l) => {
                for item in l.items() {
                    self.check_cursed_or(&Some(item));
                }
                let items = l.items().map(|e| self.lower_expr(e, None)).collect();
                self.alloc(Expr::List(items), range)
            }
            ast::Expr::Literal(l) => match l.kind() {
                Some(ast::LiteralKind::Integer(Some(n))) => self.alloc(Expr::Int(n), range),
                Some(ast::LiteralKind::Float(f)) => self.alloc(Expr::Float(f), range),
                Some(ast::LiteralKind::Uri) => {
                    let text = l.token().map(|t| t.text().to_string()).unwrap_or_default();
                    self.lints.push(Lint { kind: LintKind::Url, range, text: text.clone() });
                    self.alloc(Expr::Uri(text.into()), range)
                }
                _ => self.missing(range),
            },
            ast::Expr::Paren(p) => match p.expr() {
                Some(inner) => self.lower_expr(inner, name),
                None => self.missing(range),
            },
            ast::Expr::PathExpr(p) => self.path(p, range),
            ast::Expr::Select(s) => {
                self.check_cursed_or(&s.default());
                let expr = self.opt_expr(s.expr(), range);
                let path = self.attrpath(s.attrpath());
                let default = s.default().map(|d| self.lower_expr(d, None));
                self.alloc(Expr::Select { expr, path, default }, range)
            }
            ast::Expr::Str(s) => self.string(&s, range),
            ast::Expr::UnaryOp(u) => {
                let operand = self.opt_expr(u.expr(), range);
                match u.operator().map(|(_, k)| k) {
                    Some(ast::UnaryOpKind::Not) => self.alloc(Expr::Not(operand), range),
                    _ => {
                        // `-e` is `__sub 0 e`.
                        match self.operator_function("__sub", range) {
                            None => self.alloc(Expr::Negate(operand), range),
                            Some(func) => {
                                let zero = self.alloc(Expr::Int(0), range);
                                self.call2(func, zero, operand, range)
                            }
                        }
                    }
                }
            }
            ast::Expr::With(w) => {
                let namespace = self.opt_expr(w.namespace(), range);
                self.scopes.push(Scope::With);
                let body = self.opt_expr(w.body(), range);
                self.scopes.pop();
                self.alloc(Expr::With { namespace, body }, range)
            }
        }
    }

    /// The user's own binding of an operator's function (`__sub`, ...), or
    /// `None` when the name means the builtin.
    fn operator_function(&mut self, name: &str, range: TextRange) -> Option<ExprId> {
        let sym = self.interner.intern(name);
        match self.resolve(sym, range) {
            Var::Global(_) => None,
            var => Some(self.alloc(Expr::Var(var), range)),
        }
    }

    fn call2(&mut self, func: ExprId, a: ExprId, b: ExprId, range: TextRange) -> ExprId {
        let partial = self.alloc(Expr::Apply { func, arg: a }, range);
        self.alloc(Expr::Apply { func: partial, arg: b }, range)
    }

    fn binary(&mut self, b: ast::BinaryOp, range: TextRange) -> ExprId {
        let Some((token, kind)) = b.operator() else { return self.missing(range) };
        let op_range = token.text_range();
        let lhs = self.opt_expr(b.lhs(), range);
        let rhs = self.opt_expr(b.rhs(), range);
        use ast::BinaryOpKind as K;
        let op = match kind {
            K::PipeInto | K::PipeFrom => {
                self.lints.push(Lint { kind: LintKind::PipeOperator, range: op_range, text: token.text().to_string() });
                let (func, arg) = if kind == K::PipeInto { (rhs, lhs) } else { (lhs, rhs) };
                return self.alloc(Expr::Apply { func, arg }, op_range);
            }
            K::Equal => BinaryOp::Eq,
            K::NotEqual => BinaryOp::Neq,
            K::And => BinaryOp::And,
            K::Or => BinaryOp::Or,
            K::Implication => BinaryOp::Impl,
            K::Update => BinaryOp::Update,
            K::Concat => BinaryOp::Concat,
            K::Add => BinaryOp::Add,
            K::Sub | K::Mul | K::Div => {
                let (name, op) = match kind {
                    K::Sub => ("__sub", BinaryOp::Sub),
                    K::Mul => ("__mul", BinaryOp::Mul),
                    _ => ("__div", BinaryOp::Div),
                };
                if let Some(func) = self.operator_function(name, op_range) {
                    return self.call2(func, lhs, rhs, op_range);
                }
                op
            }
            K::Less | K::LessOrEq | K::Greater | K::GreaterOrEq => {
                let op = match kind {
                    K::Less => BinaryOp::Lt,
                    K::LessOrEq => BinaryOp::Le,
                    K::Greater => BinaryOp::Gt,
                    _ => BinaryOp::Ge,
                };
                if let Some(func) = self.operator_function("__lessThan", op_range) {
                    // a < b: lt a b; a > b: lt b a; a <= b: !(lt b a); a >= b: !(lt a b)
                    let (x, y) = if matches!(op, BinaryOp::Lt | BinaryOp::Ge) { (lhs, rhs) } else { (rhs, lhs) };
                    let call = self.call2(func, x, y, op_range);
                    return if matches!(op, BinaryOp::Le | BinaryOp::Ge) {
                        self.alloc(Expr::Not(call), op_range)
                    } else {
                        call
                    };
                }
                op
            }
        };
        let id = self.alloc(Expr::Binary { op, lhs, rhs }, op_range);
        if op == BinaryOp::Add {
            if let (Some(l), Some(r)) = (b.lhs(), b.rhs()) {
                let starts = [l.syntax().text_range().start(), r.syntax().text_range().start()];
                self.hir.operand_starts.insert(id, starts);
            }
        }
        id
    }

    fn attrpath(&mut self, path: Option<ast::Attrpath>) -> Vec<AttrName> {
        let Some(path) = path else { return Vec::new() };
        path.attrs().map(|a| self.attr_name(a)).collect()
    }

    fn attr_name(&mut self, attr: ast::Attr) -> AttrName {
        if let Some(name) = attr.static_name() {
            return AttrName::Static(self.sym(&name));
        }
        let range = attr.syntax().text_range();
        match attr {
            ast::Attr::Str(s) => AttrName::Dynamic(self.string(&s, range)),
            ast::Attr::Dynamic(d) => AttrName::Dynamic(self.opt_expr(d.expr(), range)),
            ast::Attr::Name(_) => AttrName::Dynamic(self.missing(range)),
        }
    }

    /// A set of bindings: a set literal, or an implicit set of a path.
    fn attr_tree(&mut self, tree: AttrTree, range: TextRange) -> ExprId {
        // Nested sets and attribute paths recurse here without lower_expr.
        neve_syntax::stack::grow(|| self.attr_tree_here(tree, range))
    }

    fn attr_tree_here(&mut self, mut tree: AttrTree, range: TextRange) -> ExprId {
        let rec = tree.rec;
        let names: Vec<Symbol> = tree.entries.iter().map(|e| self.sym(&e.name)).collect();
        let outer_depth = self.scopes.len();
        if rec {
            let slots = names.iter().enumerate().map(|(i, s)| (*s, i as u32)).collect();
            self.scopes.push(Scope::Static(slots));
        }
        let mut inherit_from = Vec::new();
        let mut sources: Vec<(SyntaxNode, u32)> = Vec::new();
        let mut attrs = Vec::with_capacity(tree.entries.len());
        for (entry, name) in std::mem::take(&mut tree.entries).into_iter().zip(names) {
            let value = self.attr_value(entry.value, name, outer_depth, &mut inherit_from, &mut sources);
            attrs.push(AttrDef { name, range: entry.range, value });
        }
        let mut dynamic = Vec::new();
        for entry in std::mem::take(&mut tree.dynamic) {
            let name = match self.attr_name(entry.name) {
                AttrName::Dynamic(e) => e,
                AttrName::Static(sym) => {
                    let bytes = self.interner.resolve(sym).to_vec();
                    self.alloc(Expr::Str(bytes.into()), entry.range)
                }
            };
            let value = match entry.value {
                TreeValue::Expr(e) => self.lower_expr(e, None),
                TreeValue::Set(t) => self.attr_tree(t, entry.range),
                // `inherit` has only static names.
                TreeValue::Inherit(_) | TreeValue::InheritFrom { .. } => self.missing(entry.range),
            };
            dynamic.push(DynamicAttr { name, value, range: entry.range });
        }
        if rec {
            self.scopes.pop();
        }
        self.alloc(Expr::Attrs(Box::new(Attrs { rec, attrs, dynamic, inherit_from })), range)
    }

    /// The value of one binding. `outer_depth` is the scope depth outside
    /// the set or `let` (where a plain `inherit` looks).
    fn attr_value(
        &mut self,
        value: TreeValue,
        name: Symbol,
        outer_depth: usize,
        inherit_from: &mut Vec<ExprId>,
        sources: &mut Vec<(SyntaxNode, u32)>,
    ) -> AttrValue {
        match value {
            TreeValue::Expr(e) => AttrValue::Expr(self.lower_expr(e, Some(name))),
            TreeValue::Set(t) => {
                let range = t.node.as_ref().map(|n| n.text_range()).unwrap_or_default();
                AttrValue::Expr(self.attr_tree(t, range))
            }
            TreeValue::Inherit(attr) => {
                let range = attr.syntax().text_range();
                AttrValue::Inherit(self.resolve_in(name, outer_depth, range))
            }
            TreeValue::InheritFrom { from, name: attr } => {
                let node = from.syntax().clone();
                let source = match sources.iter().find(|(n, _)| *n == node) {
                    Some((_, i)) => *i,
                    None => {
                        let id = self.lower_expr(from, None);
                        inherit_from.push(id);
                        let i = inherit_from.len() as u32 - 1;
                        sources.push((node, i));
                        i
                    }
                };
                AttrValue::InheritFrom { source, name, range: attr.syntax().text_range() }
            }
        }
    }

    fn let_in(&mut self, l: ast::LetIn, range: TextRange) -> ExprId {
        let mut tree = bindings::merge(l.syntax(), &mut Vec::new());
        let names: Vec<Symbol> = tree.entries.iter().map(|e| self.sym(&e.name)).collect();
        let outer_depth = self.scopes.len();
        let slots = names.iter().enumerate().map(|(i, s)| (*s, i as u32)).collect();
        self.scopes.push(Scope::Static(slots));
        let mut inherit_from = Vec::new();
        let mut sources = Vec::new();
        let mut bindings = Vec::with_capacity(names.len());
        for (entry, name) in std::mem::take(&mut tree.entries).into_iter().zip(names) {
            let value = self.attr_value(entry.value, name, outer_depth, &mut inherit_from, &mut sources);
            bindings.push(AttrDef { name, range: entry.range, value });
        }
        let body = self.opt_expr(l.body(), range);
        self.scopes.pop();
        self.alloc(Expr::Let(Box::new(Let { bindings, inherit_from, body })), range)
    }

    fn lambda(&mut self, l: ast::Lambda, name: Option<Symbol>, range: TextRange) -> ExprId {
        let mut arg = None;
        let mut formals = None;
        match l.param() {
            Some(ast::Param::ParamIdent(p)) => {
                arg = p.name().and_then(|n| n.token()).map(|t| self.sym(t.text()));
            }
            Some(ast::Param::Pattern(p)) => {
                arg = p.bind_name().and_then(|n| n.token()).map(|t| self.sym(t.text()));
                let mut entries = Vec::new();
                for entry in p.entries() {
                    let Some(tok) = entry.name().and_then(|n| n.token()) else { continue };
                    let sym = self.sym(tok.text());
                    entries.push((sym, entry));
                }
                entries.sort_by_key(|(sym, _)| *sym);
                entries.dedup_by_key(|(sym, _)| *sym);
                formals = Some(entries);
                let _ = p.ellipsis_token();
            }
            None => {}
        }
        // Slot 0 holds the argument, named or not; the formals follow.
        let mut slots = HashMap::new();
        if let Some(a) = arg {
            slots.insert(a, 0);
        }
        if let Some(entries) = &formals {
            for (i, (sym, _)) in entries.iter().enumerate() {
                slots.entry(*sym).or_insert(i as u32 + 1);
            }
        }
        self.scopes.push(Scope::Static(slots));
        let formals = formals.map(|entries| {
            let ellipsis = match l.param() {
                Some(ast::Param::Pattern(p)) => p.ellipsis_token().is_some(),
                _ => false,
            };
            let entries = entries
                .into_iter()
                .map(|(name, entry)| Formal {
                    name,
                    default: entry.default().map(|d| self.lower_expr(d, None)),
                    range: entry.syntax().text_range(),
                })
                .collect();
            Formals { entries, ellipsis }
        });
        // A curried function's inner functions carry its name too (CppNix's
        // `ExprLambda::setName`).
        let body = match l.body() {
            Some(b) => self.lower_expr(b, name),
            None => self.missing(range),
        };
        self.scopes.pop();
        self.alloc(Expr::Lambda(Box::new(Lambda { name, arg, formals, body })), range)
    }

    fn string(&mut self, s: &ast::Str, range: TextRange) -> ExprId {
        let mut parts = Vec::new();
        for part in s.parts() {
            match part {
                InterpolPart::Literal(t) => {
                    let mut text = String::new();
                    ast::unescape_string(t.text(), &mut text);
                    self.check_nul(&text, t.text_range());
                    parts.push(Part::Lit(self.bytes(&text).into()));
                }
                InterpolPart::Interpolation(i) => {
                    let e = self.opt_expr(i.expr(), i.syntax().text_range());
                    self.hir.interpolation_starts.insert(e, i.syntax().text_range().start());
                    parts.push(Part::Expr(e));
                }
            }
        }
        self.finish_string(parts, range)
    }

    fn finish_string(&mut self, mut parts: Vec<Part>, range: TextRange) -> ExprId {
        match parts.len() {
            0 => self.alloc(Expr::Str(Box::default()), range),
            1 if matches!(parts[0], Part::Lit(_)) => {
                let Some(Part::Lit(bytes)) = parts.pop() else { unreachable!() };
                self.alloc(Expr::Str(bytes), range)
            }
            _ => self.alloc(Expr::Interpolated { parts, force_string: true }, range),
        }
    }

    /// An indented string, with its common indentation removed as CppNix's
    /// `stripIndentation` does.
    fn ind_string(&mut self, s: &ast::IndString, range: TextRange) -> ExprId {
        enum Piece {
            /// Text that takes part in indentation.
            Indented(String),
            /// Escapes and lone `$`/`'`: text that ends leading whitespace.
            Literal(String),
            Interpolation(ExprId),
        }
        let mut pieces = Vec::new();
        for part in s.parts() {
            match part {
                InterpolPart::Literal(t) if t.kind() == SyntaxKind::IND_STRING_CONTENT => {
                    self.check_nul(t.text(), t.text_range());
                    pieces.push(Piece::Indented(t.text().to_string()))
                }
                InterpolPart::Literal(t) => {
                    let text = t.text();
                    let value = match text {
                        "''$" | "$" => "$".to_string(),
                        "'''" => "''".to_string(),
                        "'" => "'".to_string(),
                        _ => {
                            let mut out = String::new();
                            ast::unescape_string(text.strip_prefix("''").unwrap_or(text), &mut out);
                            out
                        }
                    };
                    pieces.push(Piece::Literal(value));
                }
                InterpolPart::Interpolation(i) => {
                    let e = self.opt_expr(i.expr(), i.syntax().text_range());
                    self.hir.interpolation_starts.insert(e, i.syntax().text_range().start());
                    pieces.push(Piece::Interpolation(e));
                }
            }
        }
        if pieces.is_empty() {
            return self.alloc(Expr::Str(Box::default()), range);
        }

        // The smallest indentation of a line with content; lines of only
        // spaces do not count.
        let mut at_line_start = true;
        let mut min_indent = usize::MAX;
        let mut cur_indent = 0;
        for piece in &pieces {
            let Piece::Indented(text) = piece else {
                if at_line_start {
                    at_line_start = false;
                    min_indent = min_indent.min(cur_indent);
                }
                continue;
            };
            for b in text.bytes() {
                if at_line_start {
                    match b {
                        b' ' => cur_indent += 1,
                        b'\n' => cur_indent = 0,
                        _ => {
                            at_line_start = false;
                            min_indent = min_indent.min(cur_indent);
                        }
                    }
                } else if b == b'\n' {
                    at_line_start = true;
                    cur_indent = 0;
                }
            }
        }

        let mut parts = Vec::new();
        let mut at_line_start = true;
        let mut dropped = 0;
        let count = pieces.len();
        for (i, piece) in pieces.into_iter().enumerate() {
            let remaining = count - i;
            let text = match piece {
                Piece::Interpolation(e) => {
                    at_line_start = false;
                    dropped = 0;
                    parts.push(Part::Expr(e));
                    continue;
                }
                Piece::Indented(text) | Piece::Literal(text) => text,
            };
            let mut out = String::with_capacity(text.len());
            for c in text.chars() {
                if at_line_start {
                    match c {
                        ' ' => {
                            if dropped >= min_indent {
                                out.push(c);
                            }
                            dropped += 1;
                        }
                        '\n' => {
                            dropped = 0;
                            out.push(c);
                        }
                        _ => {
                            at_line_start = false;
                            dropped = 0;
                            out.push(c);
                        }
                    }
                } else {
                    out.push(c);
                    if c == '\n' {
                        at_line_start = true;
                    }
                }
            }
            // The last line goes if it holds only spaces.
            if remaining == 1 {
                if let Some(p) = out.rfind('\n') {
                    if out[p + 1..].bytes().all(|b| b == b' ') {
                        out.truncate(p + 1);
                    }
                }
            }
            if !out.is_empty() {
                parts.push(Part::Lit(self.bytes(&out).into()));
            }
        }
        self.finish_string(parts, range)
    }

    fn path(&mut self, p: ast::PathExpr, range: TextRange) -> ExprId {
        let Some(kind) = p.kind() else { return self.missing(range) };
        if kind == PathKind::Search {
            // `<a/b>` is `__findFile __nixPath "a/b"`.
            let text = p.syntax().text().to_string();
            let inner = text.trim_start_matches('<').trim_end_matches('>').as_bytes().to_vec();
            let find_file = self.interner.intern("__findFile");
            let nix_path = self.interner.intern("__nixPath");
            let find_var = self.resolve(find_file, range);
            let func = self.alloc(Expr::Var(find_var), range);
            let path_var = self.resolve(nix_path, range);
            let search = self.alloc(Expr::Var(path_var), range);
            let name = self.alloc(Expr::Str(inner.into()), range);
            return self.call2(func, search, name, range);
        }
        let mut parts = Vec::new();
        for (i, part) in p.parts().enumerate() {
            match part {
                InterpolPart::Literal(t) if i == 0 => {
                    let lint = match kind {
                        PathKind::Relative if !t.text().starts_with('.') => Some(LintKind::ShortPath),
                        PathKind::Absolute => Some(LintKind::AbsolutePath),
                        PathKind::Home => Some(LintKind::HomePath),
                        _ => None,
                    };
                    if let Some(kind) = lint {
                        self.lints.push(Lint { kind, range: t.text_range(), text: t.text().to_string() });
                    }
                    let first = self.alloc(Expr::Path { kind, literal: t.text().into() }, t.text_range());
                    parts.push(Part::Expr(first));
                }
                InterpolPart::Literal(t) => parts.push(Part::Lit(t.text().as_bytes().into())),
                InterpolPart::Interpolation(i) => {
                    let e = self.opt_expr(i.expr(), i.syntax().text_range());
                    self.hir.interpolation_starts.insert(e, i.syntax().text_range().start());
                    parts.push(Part::Expr(e));
                }
            }
        }
        if parts.len() == 1 {
            if let Part::Expr(id) = parts[0] {
                return id;
            }
        }
        self.alloc(Expr::Interpolated { parts, force_string: false }, range)
    }
}
