//! HIR to bytecode.
//!
//! Every expression is compiled either strictly (its value, in weak head
//! normal form, ends on the stack) or lazily (a value that may be a thunk).
//! Laziness costs a thunk only when the expression needs work: literals,
//! variables, functions, and set and list literals (whose parts are lazy
//! themselves) are pushed directly.
//!
//! Environments follow the HIR's scopes one to one: `let`, `rec` sets,
//! functions and `with` each get one at run time, so a resolved variable's
//! `(level, slot)` is its address.

mod show;

use std::path::Path;

use neve_syntax::ast::PathKind;
use neve_syntax::TextRange;

use crate::builtins::PrimOp;
use crate::chunk::{
    AttrsShape, BuiltinCall, Call2, Chunk, EagerOp, EagerThunk, FormalInfo, FormalsInfo, Interpolation, LambdaInfo, Op,
    Operand, SelectStep, TraceRegion,
};
use crate::hir::{self, AttrName, AttrValue, BinaryOp, Expr, ExprId, Hir, Part, Var};
use crate::source::Pos;
use crate::symbol::{Interner, Symbol};
use crate::value::{Gc, NixString, Value};

/// What the compiler needs to know about the file.
pub struct CompileInput<'a> {
    pub hir: &'a Hir,
    /// The position of the file's first byte.
    pub start: Pos,
    /// The directory relative path literals are resolved against.
    pub base_dir: &'a Path,
    /// `$HOME`, for `~/` paths.
    pub home: Option<&'a [u8]>,
    /// The source text, for assertion messages.
    pub text: &'a str,
    /// The values of the global environment (fixed before any code is
    /// compiled), so that calls of builtins can be compiled to direct calls.
    pub globals: &'a dyn Fn(Symbol) -> Option<Value>,
}

/// Compiles a file's HIR to the chunk that evaluates it.
pub fn compile(input: &CompileInput, interner: &mut Interner) -> Gc<Chunk> {
    let mut c = Compiler { input, interner, chunk: Chunk::default(), env_depth: 0, building: Vec::new() };
    if let Some(root) = input.hir.root {
        c.strict(root);
    }
    c.emit(Op::Return);
    Gc::new(c.chunk)
}

struct Compiler<'a, 'i> {
    input: &'a CompileInput<'a>,
    interner: &'i mut Interner,
    chunk: Chunk,
    /// Environments pushed so far by the code of the current chunk.
    env_depth: u32,
    /// Environments of `let` and `rec` being filled by the current chunk:
    /// their depth and which slots hold their values already. Code that runs
    /// during the filling must not read a slot before it is set.
    building: Vec<(u32, Vec<bool>)>,
}

impl Compiler<'_, '_> {
    fn hir(&self) -> &Hir {
        self.input.hir
    }

    fn pos(&self, range: TextRange) -> Pos {
        self.input.start.plus(range.start().into())
    }

    fn emit(&mut self, op: Op) -> usize {
        self.chunk.code.push(op);
        self.chunk.code.len() - 1
    }

    /// Marks the instructions from here on as belonging to `range`.
    fn at(&mut self, range: TextRange) {
        let pos = self.pos(range);
        let ip = self.chunk.code.len() as u32;
        match self.chunk.positions.last_mut() {
            Some((at, p)) if *at == ip => *p = pos,
            Some((_, p)) if *p == pos => {}
            _ => self.chunk.positions.push((ip, pos)),
        }
    }

    /// Compiles `f` so that errors raised in its code gain the trace frame
    /// `message` at `pos`.
    fn context(&mut self, message: impl Into<String>, pos: Option<Pos>, f: impl FnOnce(&mut Self)) {
        let start = self.here();
        f(self);
        let end = self.here();
        self.chunk.contexts.push(TraceRegion { start, end, message: message.into(), pos });
    }

    /// `strict(id)` in a context at `id`'s position (CppNix's
    /// `e->eval(state, env, v, errorCtx)`).
    fn strict_in(&mut self, id: ExprId, message: &str) {
        let pos = self.expr_pos(id);
        self.context(message, pos, |c| c.strict(id));
    }

    /// The position CppNix gives an expression in traces (`Expr::getPos`):
    /// none for literals and `let`, the operand's for `!` and `?`.
    fn expr_pos(&self, id: ExprId) -> Option<Pos> {
        match self.hir().expr(id) {
            Expr::Int(_) | Expr::Float(_) | Expr::Str(_) | Expr::Uri(_) | Expr::Path { .. } | Expr::Let(_) => None,
            Expr::Missing => None,
            Expr::List(items) => items.first().and_then(|i| self.expr_pos(*i)),
            Expr::Not(e) => self.expr_pos(*e),
            Expr::HasAttr { expr, .. } => self.expr_pos(*expr),
            _ => Some(self.pos(self.hir().range(id))),
        }
    }

    fn constant(&mut self, value: Value) -> u32 {
        self.chunk.constants.push(value);
        self.chunk.constants.len() as u32 - 1
    }

    fn string_constant(&mut self, s: &str) -> u32 {
        self.constant(Value::string(s))
    }

    fn here(&self) -> u32 {
        self.chunk.code.len() as u32
    }

    fn patch(&mut self, at: usize) {
        let target = self.here();
        match &mut self.chunk.code[at] {
            Op::Jump(t)
            | Op::JumpIfFalse { target: t }
            | Op::JumpIfFalseKeep { target: t }
            | Op::JumpIfTrueKeep { target: t }
            | Op::SelectOr { target: t, .. }
            | Op::SelectDynamicOr { target: t }
            | Op::HasAttrStep { target: t, .. }
            | Op::HasAttrDynamicStep { target: t } => *t = target,
            op => unreachable!("not a jump: {op:?}"),
        }
    }

    /// Compiles `id` into a separate chunk (a thunk or function body).
    fn sub_chunk(&mut self, f: impl FnOnce(&mut Self)) -> Chunk {
        let outer = std::mem::take(&mut self.chunk);
        let depth = std::mem::replace(&mut self.env_depth, 0);
        let building = std::mem::take(&mut self.building);
        f(self);
        self.emit(Op::Return);
        self.env_depth = depth;
        self.building = building;
        std::mem::replace(&mut self.chunk, outer)
    }

    /// A chunk of its own for `id` (evaluated later, in the current
    /// environment), pushed as a thunk.
    fn thunk(&mut self, id: ExprId) {
        let i = self.thunk_chunk(id);
        self.emit(Op::Thunk(i));
    }

    /// Compiles `id` into a chunk of its own; gives its index.
    fn thunk_chunk(&mut self, id: ExprId) -> u32 {
        let chunk = self.sub_chunk(|c| c.strict(id));
        self.chunk.chunks.push(Gc::new(chunk));
        self.chunk.chunks.len() as u32 - 1
    }

    /// Whether reading `var` now could see a slot not yet filled.
    fn reads_unfilled_slot(&self, var: Var, extra_levels: u32) -> bool {
        let Var::Local { level, slot, .. } = var else { return false };
        let target = self.env_depth as i64 - (level + extra_levels) as i64;
        self.building.iter().any(|(depth, filled)| *depth as i64 == target && !filled[slot as usize])
    }

    fn push_env(&mut self, size: u32, building: bool) {
        self.emit(Op::PushEnv(size));
        self.env_depth += 1;
        if building {
            self.building.push((self.env_depth, vec![false; size as usize]));
        }
    }

    fn set_slot(&mut self, slot: u32) {
        self.emit(Op::SetSlot(slot));
        if let Some((depth, filled)) = self.building.last_mut() {
            if *depth == self.env_depth {
                filled[slot as usize] = true;
            }
        }
    }

    fn pop_env(&mut self) {
        self.emit(Op::PopEnv);
        if self.building.last().is_some_and(|(d, _)| *d == self.env_depth) {
            self.building.pop();
        }
        self.env_depth -= 1;
    }

    fn var(&mut self, var: Var, extra_levels: u32) {
        match var {
            Var::Local { level, slot, .. } => {
                self.emit(Op::Local { level: (level + extra_levels) as u16, slot });
            }
            Var::Global(name) => {
                self.emit(Op::Global(name));
            }
            Var::With { level, name } => {
                self.emit(Op::With { level: (level + extra_levels) as u16, name });
            }
            // Undefined variables stop evaluation before compilation.
            Var::Undefined(name) => {
                self.emit(Op::Global(name));
            }
        }
    }

    /// Pushes the value of `id`, possibly as a thunk.
    fn lazy(&mut self, id: ExprId) {
        neve_syntax::stack::grow(|| self.lazy_here(id))
    }

    fn lazy_here(&mut self, id: ExprId) {
        match self.hir().expr(id) {
            Expr::Int(_) | Expr::Float(_) | Expr::Str(_) | Expr::Uri(_) | Expr::Lambda(_) | Expr::List(_) => {
                self.strict(id)
            }
            // Dynamic names are evaluated when the set is, so such a set waits.
            Expr::Attrs(a) if !a.rec && a.dynamic.is_empty() => self.strict(id),
            Expr::Var(var @ (Var::Local { .. } | Var::Global(_))) if !self.reads_unfilled_slot(*var, 0) => {
                let var = *var;
                self.at(self.hir().range(id));
                self.var(var, 0);
            }
            Expr::Binary { op, lhs, rhs } => match self.eager_parts(*op, *lhs, *rhs) {
                Some((op, lhs, rhs)) => {
                    let thunk = self.thunk_chunk(id);
                    self.chunk.eager.push(EagerThunk { thunk, op, lhs, rhs, call_arg: false });
                    self.emit(Op::EagerThunk(self.chunk.eager.len() as u32 - 1));
                }
                None => self.thunk(id),
            },
            _ => self.thunk(id),
        }
    }

    /// The parts of `lhs op rhs` when it may be computed at once (see
    /// [`EagerThunk`]): a numeric operator on variables and number literals.
    fn eager_parts(&self, op: BinaryOp, lhs: ExprId, rhs: ExprId) -> Option<(EagerOp, Operand, Operand)> {
        let op = numeric_op(op)?;
        let operand = |id: ExprId| match self.hir().expr(id) {
            Expr::Int(n) => Some(Operand::Int(*n)),
            Expr::Float(f) => Some(Operand::Float(*f)),
            Expr::Var(var @ Var::Local { level, slot, .. }) if !self.reads_unfilled_slot(*var, 0) => {
                Some(Operand::Local { level: u16::try_from(*level).ok()?, slot: *slot })
            }
            _ => None,
        };
        Some((op, operand(lhs)?, operand(rhs)?))
    }

    /// Pushes the value of `id` in weak head normal form.
    fn strict(&mut self, id: ExprId) {
        neve_syntax::stack::grow(|| self.strict_here(id))
    }

    fn strict_here(&mut self, id: ExprId) {
        let range = self.hir().range(id);
        self.at(range);
        match self.hir().expr(id).clone() {
            Expr::Missing => {
                let i = self.constant(Value::Null);
                self.emit(Op::Const(i));
            }
            Expr::Int(n) => {
                let i = self.constant(Value::Int(n));
                self.emit(Op::Const(i));
            }
            Expr::Float(x) => {
                let i = self.constant(Value::Float(x));
                self.emit(Op::Const(i));
            }
            Expr::Str(bytes) => {
                let i = self.constant(Value::string(NixString::from(&*bytes)));
                self.emit(Op::Const(i));
            }
            Expr::Uri(text) => {
                let i = self.string_constant(&text);
                self.emit(Op::Const(i));
            }
            Expr::Path { kind, literal } => {
                let path = self.resolve_path(kind, &literal);
                let i = self.constant(Value::string(NixString::from(path)));
                self.emit(Op::Path(i));
            }
            Expr::Interpolated { parts, force_string } => {
                let mut positions = Vec::with_capacity(parts.len());
                for part in &parts {
                    match part {
                        Part::Lit(bytes) => {
                            let i = self.constant(Value::string(NixString::from(&**bytes)));
                            self.emit(Op::Const(i));
                            positions.push(None);
                        }
                        Part::Expr(e) => {
                            self.strict_in(*e, "in an operand of '+'");
                            let start = self.hir().interpolation_starts.get(e).copied();
                            let start = start.unwrap_or_else(|| self.hir().range(*e).start());
                            positions.push(Some(self.input.start.plus(start.into())));
                        }
                    }
                }
                self.chunk.interpolations.push(Interpolation { force_string, positions: positions.into() });
                let i = self.chunk.interpolations.len() as u32 - 1;
                self.at(range);
                self.emit(Op::Interpolate(i));
            }
            Expr::Var(Var::Local { level, slot, .. }) => {
                self.emit(Op::LocalForce { level: level as u16, slot });
            }
            Expr::Var(var) => {
                self.var(var, 0);
                self.emit(Op::Force);
            }
            Expr::CurPos => {
                self.emit(Op::CurPos);
            }
            Expr::List(items) => {
                for item in &items {
                    self.lazy(*item);
                }
                self.emit(Op::List(items.len() as u32));
            }
            Expr::Attrs(attrs) => self.attrs(&attrs, range),
            Expr::Let(l) => self.let_in(&l),
            Expr::Lambda(l) => self.lambda(&l, range),
            Expr::Apply { func, arg } => match self.builtin_call(id) {
                Some((op, args)) => {
                    for arg in &args {
                        self.lazy(*arg);
                    }
                    self.at(range);
                    let argc = args.len() as u8;
                    self.chunk.builtin_calls.push(BuiltinCall { op, argc, pos: self.pos(range) });
                    self.emit(Op::CallBuiltin(self.chunk.builtin_calls.len() as u32 - 1));
                }
                None => {
                    self.strict(func);
                    self.lazy(arg);
                    if let Some(&Op::EagerThunk(i)) = self.chunk.code.last() {
                        self.chunk.eager[i as usize].call_arg = true;
                    }
                    self.at(range);
                    self.emit(Op::Call(self.pos(range)));
                }
            },
            Expr::Select { expr, path, default } => self.select(expr, &path, default, range),
            Expr::HasAttr { expr, path } => self.has_attr(expr, &path, range),
            Expr::With { namespace, body } => {
                self.lazy(namespace);
                self.emit(Op::EnterWith);
                self.env_depth += 1;
                self.strict(body);
                self.emit(Op::PopEnv);
                self.env_depth -= 1;
            }
            Expr::Assert { cond, body } => {
                let text = self.show(cond);
                let text = self.string_constant(&text);
                let eq = match self.hir().expr(cond) {
                    Expr::Binary { op: BinaryOp::Eq, lhs, rhs } => Some((*lhs, *rhs)),
                    _ => None,
                };
                let cond_pos = self.expr_pos(cond);
                self.context("in the condition of the assert statement", cond_pos, |c| match eq {
                    // Both values are kept, to explain how they differ.
                    Some((lhs, rhs)) => {
                        c.strict_in(lhs, "in the left operand of '=='");
                        c.strict_in(rhs, "in the right operand of '=='");
                    }
                    None => {
                        c.strict(cond);
                        c.at(c.hir().range(cond));
                        c.emit(Op::AssertBool);
                    }
                });
                if eq.is_some() {
                    self.at(self.hir().range(cond));
                    let assert_pos = self.pos(range);
                    self.emit(Op::AssertEq { text, assert_pos });
                    self.at(range);
                    self.emit(Op::Pop);
                } else {
                    self.at(range);
                    self.emit(Op::Assert { text });
                }
                self.strict(body);
            }
            Expr::If { cond, then_body, else_body } => {
                let to_else = self
                    .bool_in(cond, "while evaluating a branch condition", |c| c.emit(Op::JumpIfFalse { target: 0 }));
                self.strict(then_body);
                let to_end = self.emit(Op::Jump(0));
                self.patch(to_else);
                self.strict(else_body);
                self.patch(to_end);
            }
            Expr::Binary { op, lhs, rhs } => self.binary(id, op, lhs, rhs, range),
            Expr::Not(e) => {
                self.bool_in(e, "in the argument of '!'", |c| c.emit(Op::Not));
            }
            Expr::Negate(e) => {
                // `__sub 0 e` in CppNix.
                let pos = Some(self.pos(range));
                self.context("while calling the 'sub' builtin", pos, |c| {
                    c.strict(e);
                    c.at(range);
                    c.emit(Op::Negate);
                });
            }
        }
    }

    /// `f a1 ... an` where `f` is a builtin of arity `n` named directly
    /// (`map`, `builtins.length`): the builtin and the arguments, in order.
    /// Nothing can tell such a call from the curried calls it stands for.
    fn builtin_call(&mut self, id: ExprId) -> Option<(&'static PrimOp, Vec<ExprId>)> {
        let mut args = Vec::new();
        let mut head = id;
        while let Expr::Apply { func, arg } = self.hir().expr(head) {
            // Not a builtin's full application: stop here, or each link
            // of `f a b c ...` would walk the rest of the chain.
            if args.len() == crate::builtins::MAX_ARITY {
                return None;
            }
            args.push(*arg);
            head = *func;
        }
        let value = match self.hir().expr(head) {
            Expr::Var(Var::Global(name)) => (self.input.globals)(*name)?,
            Expr::Select { expr, path, default: None } => {
                let ([AttrName::Static(name)], Expr::Var(Var::Global(set))) = (&path[..], self.hir().expr(*expr))
                else {
                    return None;
                };
                if self.interner.resolve(*set) != b"builtins" {
                    return None;
                }
                let Value::Attrs(builtins) = (self.input.globals)(*set)? else { return None };
                builtins.get(*name)?.clone()
            }
            _ => return None,
        };
        match value {
            Value::PrimOp(app) if app.args.is_empty() && app.op.arity as usize == args.len() => {
                args.reverse();
                Some((app.op, args))
            }
            _ => None,
        }
    }

    /// Evaluates `id` as a Boolean (CppNix's `evalBool`): errors inside get
    /// the frame `message`, and a non-Boolean is an error at `id`. `check`
    /// emits the instruction that tests the value.
    fn bool_in(&mut self, id: ExprId, message: &str, check: impl FnOnce(&mut Self) -> usize) -> usize {
        let pos = self.expr_pos(id);
        let mut at = 0;
        self.context(message, pos, |c| {
            c.strict(id);
            c.at(c.hir().range(id));
            at = check(c);
        });
        at
    }

    fn binary(&mut self, id: ExprId, op: BinaryOp, lhs: ExprId, rhs: ExprId, range: TextRange) {
        match op {
            BinaryOp::And => {
                let short =
                    self.bool_in(lhs, "in the left operand of '&&'", |c| c.emit(Op::JumpIfFalseKeep { target: 0 }));
                self.emit(Op::Pop);
                self.bool_in(rhs, "in the right operand of '&&'", |c| c.emit(Op::AssertBool));
                self.patch(short);
            }
            BinaryOp::Or => {
                let short =
                    self.bool_in(lhs, "in the left operand of '||'", |c| c.emit(Op::JumpIfTrueKeep { target: 0 }));
                self.emit(Op::Pop);
                self.bool_in(rhs, "in the right operand of '||'", |c| c.emit(Op::AssertBool));
                self.patch(short);
            }
            BinaryOp::Impl => {
                let to_true =
                    self.bool_in(lhs, "in the left operand of '->'", |c| c.emit(Op::JumpIfFalse { target: 0 }));
                self.bool_in(rhs, "in the right operand of '->'", |c| c.emit(Op::AssertBool));
                let to_end = self.emit(Op::Jump(0));
                self.patch(to_true);
                let t = self.constant(Value::Bool(true));
                self.emit(Op::Const(t));
                self.patch(to_end);
            }
            BinaryOp::Update => {
                // CppNix evaluates the right operand first; in a chain
                // `a // b // c` only the outer operands get a frame.
                let nested = |c: &Self, id| matches!(c.hir().expr(id), Expr::Binary { op: BinaryOp::Update, .. });
                if nested(self, rhs) {
                    self.strict(rhs);
                } else {
                    self.strict_in(rhs, "in the right operand of '//'");
                }
                if nested(self, lhs) {
                    self.strict(lhs);
                } else {
                    self.strict_in(lhs, "in the left operand of '//'");
                }
                self.at(range);
                self.emit(Op::Update);
            }
            BinaryOp::Eq | BinaryOp::Neq | BinaryOp::Concat => {
                let (left, right) = match op {
                    BinaryOp::Eq => ("in the left operand of '=='", "in the right operand of '=='"),
                    BinaryOp::Neq => ("in the left operand of '!='", "in the right operand of '!='"),
                    _ => ("in the left operand of '++'", "in the right operand of '++'"),
                };
                self.strict_in(lhs, left);
                let literal = self.int_literal(rhs);
                match (op, literal) {
                    (BinaryOp::Eq | BinaryOp::Neq, Some(rhs)) => {
                        self.at(range);
                        let op = numeric_op(op).expect("== and != are numeric operations");
                        self.emit(Op::IntRhs { op, rhs });
                    }
                    _ => {
                        self.strict_in(rhs, right);
                        self.at(range);
                        self.emit(match op {
                            BinaryOp::Eq => Op::Eq,
                            BinaryOp::Neq => Op::Neq,
                            _ => Op::Concat,
                        });
                    }
                }
            }
            BinaryOp::Add => {
                self.strict_in(lhs, "in an operand of '+'");
                let literal = self.int_literal(rhs);
                if literal.is_none() {
                    self.strict_in(rhs, "in an operand of '+'");
                }
                // Where the operands are written (not `expr_pos`: CppNix
                // keeps the grammar's positions here, literals included).
                let at = |c: &Self, id| Some(c.pos(c.hir().range(id)));
                let positions = match self.hir().operand_starts.get(&id) {
                    Some(starts) => starts.map(|s| Some(self.input.start.plus(s.into()))),
                    None => [at(self, lhs), at(self, rhs)],
                };
                self.chunk.interpolations.push(Interpolation { force_string: false, positions: positions.into() });
                let i = self.chunk.interpolations.len() as u32 - 1;
                self.at(range);
                self.emit(match literal {
                    Some(rhs) => Op::PlusInt { rhs, positions: i },
                    None => Op::Plus(i),
                });
            }
            _ => {
                // Calls of builtins in CppNix, which force their operands:
                // the frame is the builtin's. `a <= b` is `!(b < a)`.
                let name = match op {
                    BinaryOp::Sub => "sub",
                    BinaryOp::Mul => "mul",
                    BinaryOp::Div => "div",
                    _ => "lessThan",
                };
                let pos = Some(self.pos(range));
                let call = |c: &mut Self| {
                    c.context(format!("while calling the '{name}' builtin"), pos, |c| {
                        let literal = c.int_literal(rhs);
                        let mut op = numeric_op(op).expect("the builtin-call operators are numeric operations");
                        // `a > b` is `lessThan b a`, and `a <= b` is `!(lessThan
                        // b a)`: `b` is evaluated first (which error, which
                        // trace comes first). A literal `b` has nothing to show.
                        let flipped = match op {
                            EagerOp::Gt if literal.is_none() => Some(EagerOp::Lt),
                            EagerOp::Le if literal.is_none() => Some(EagerOp::Ge),
                            _ => None,
                        };
                        if let Some(flipped) = flipped {
                            c.strict(rhs);
                            c.strict(lhs);
                            op = flipped;
                        } else {
                            c.strict(lhs);
                            if literal.is_none() {
                                c.strict(rhs);
                            }
                        }
                        c.at(range);
                        c.emit(match literal {
                            Some(rhs) => Op::IntRhs { op, rhs },
                            None => op.instruction(),
                        });
                    })
                };
                if matches!(op, BinaryOp::Le | BinaryOp::Ge) {
                    self.context("in the argument of '!'", pos, call);
                } else {
                    call(self);
                }
            }
        }
    }

    /// The value of `id` if it is an integer literal small enough to be an
    /// instruction's operand ([`Op::IntRhs`]); such a literal is not
    /// compiled on its own (nothing about it can fail or need a frame).
    fn int_literal(&self, id: ExprId) -> Option<i32> {
        match self.hir().expr(id) {
            Expr::Int(n) => i32::try_from(*n).ok(),
            _ => None,
        }
    }

    fn select(&mut self, expr: ExprId, path: &[AttrName], default: Option<ExprId>, range: TextRange) {
        self.strict_in(expr, "while selecting an attribute");
        let shown = self.show_attr_path(path);
        let message = format!("while evaluating the attribute '{shown}'");
        let pos = Some(self.pos(range));
        self.context(message, pos, |c| {
            let mut to_default = Vec::new();
            // The frames of the steps, as consecutive entries: a step that
            // fails names the one before it (the VM checks that the
            // definition it remembers is the previous entry).
            let mut text = String::new();
            let mut prefixes = Vec::with_capacity(path.len());
            for name in path {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(&c.show_attr_path(std::slice::from_ref(name)));
                prefixes.push(text.len() as u32);
            }
            let text: std::rc::Rc<str> = text.into();
            let first = c.chunk.select_steps.len() as u32;
            c.chunk.select_steps.extend(prefixes.into_iter().map(|prefix| SelectStep { path: text.clone(), prefix }));
            let definitions = first..first + path.len() as u32;
            for (name, definition) in path.iter().zip(definitions) {
                match name {
                    AttrName::Static(sym) => {
                        c.at(range);
                        if default.is_some() {
                            to_default.push(c.emit(Op::SelectOr { name: *sym, target: 0 }));
                        } else {
                            c.emit(Op::Select { name: *sym, definition });
                        }
                    }
                    AttrName::Dynamic(e) => {
                        c.strict(*e);
                        // A name that is not a string is reported at itself.
                        c.at(c.hir().range(*e));
                        if default.is_some() {
                            to_default.push(c.emit(Op::SelectDynamicOr { target: 0 }));
                        } else {
                            c.emit(Op::SelectDynamic { definition });
                        }
                    }
                }
                c.emit(Op::Force);
            }
            if let Some(default) = default {
                let to_end = c.emit(Op::Jump(0));
                for at in to_default {
                    c.patch(at);
                }
                c.strict(default);
                c.patch(to_end);
            }
        });
    }

    fn has_attr(&mut self, expr: ExprId, path: &[AttrName], range: TextRange) {
        self.strict_in(expr, "in the argument of '?'");
        let mut to_end = Vec::new();
        for (i, name) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            if let AttrName::Dynamic(e) = name {
                self.strict(*e);
            }
            self.at(range);
            match (name, last) {
                (AttrName::Static(sym), true) => {
                    self.emit(Op::HasAttr(*sym));
                }
                (AttrName::Dynamic(_), true) => {
                    self.emit(Op::HasAttrDynamic);
                }
                (AttrName::Static(sym), false) => {
                    to_end.push(self.emit(Op::HasAttrStep { name: *sym, target: 0 }));
                    self.emit(Op::Force);
                }
                (AttrName::Dynamic(_), false) => {
                    to_end.push(self.emit(Op::HasAttrDynamicStep { target: 0 }));
                    self.emit(Op::Force);
                }
            }
        }
        for at in to_end {
            self.patch(at);
        }
    }

    /// Pushes the value of one binding. `extra_levels` is how many
    /// environments the code runs inside of, beyond the scope `inherit`
    /// names are resolved in; `sources` says where the `inherit (e)`
    /// sources are: `Ok(base)` in slots `base..` of the current environment,
    /// `Err(depth)` on the stack with the first one `depth` places down.
    fn binding(&mut self, value: &AttrValue, extra_levels: u32, sources: Result<u32, u32>) {
        match value {
            AttrValue::Expr(e) => self.lazy(*e),
            AttrValue::Inherit(var @ Var::Local { .. }) if !self.reads_unfilled_slot(*var, extra_levels) => {
                self.var(*var, extra_levels)
            }
            AttrValue::Inherit(var @ Var::Global(_)) => self.var(*var, extra_levels),
            AttrValue::Inherit(var) => {
                // Looked up later (a `with`, or a slot not filled yet).
                let var = *var;
                let chunk = self.sub_chunk(|c| {
                    c.var(var, extra_levels);
                    c.emit(Op::Force);
                });
                self.chunk.chunks.push(Gc::new(chunk));
                let i = self.chunk.chunks.len() as u32 - 1;
                self.emit(Op::Thunk(i));
            }
            AttrValue::InheritFrom { source, name, range } => {
                self.at(*range);
                match sources {
                    Ok(base) => {
                        self.emit(Op::Local { level: 0, slot: base + source });
                    }
                    Err(depth) => {
                        self.emit(Op::Pick(depth - source));
                    }
                }
                self.emit(Op::SelectThunk(*name));
            }
        }
    }

    /// Fills the slots of a `let` or a `rec` set being built (`values` in
    /// slot order, the `inherit (e)` sources after them from `sources_at`).
    ///
    /// Lists of one or two elements go first, as thunks. CppNix gives each
    /// binding a value of its own and keeps such a list inside it, so the
    /// list's identity, which `«repeated»` tracks when printing, is the
    /// binding's (see `print.rs`). Were one built at once in its turn, a
    /// binding before it that names it (`a = [ b ]; b = [ 1 ];`), or the
    /// list itself (`l = [ l ];`), would get a thunk reading the slot
    /// later: another identity. Made first, every such name is the
    /// binding's thunk. Nothing else can tell the order apart: filling a
    /// slot evaluates nothing.
    fn bind_slots<'v>(&mut self, values: impl Iterator<Item = &'v AttrValue> + Clone, sources_at: u32) {
        // The expression of a binding that is such a list.
        let small_list = |c: &Self, v: &AttrValue| match v {
            AttrValue::Expr(e) if matches!(c.hir().expr(*e), Expr::List(items) if (1..=2).contains(&items.len())) => {
                Some(*e)
            }
            _ => None,
        };
        for (i, value) in values.clone().enumerate() {
            if let Some(e) = small_list(self, value) {
                self.thunk(e);
                self.set_slot(i as u32);
            }
        }
        for (i, value) in values.enumerate() {
            if small_list(self, value).is_none() {
                self.binding(value, 1, Ok(sources_at));
                self.set_slot(i as u32);
            }
        }
    }

    fn attrs(&mut self, attrs: &hir::Attrs, range: TextRange) {
        let has_overrides = attrs.rec && {
            let overrides = self.interner.lookup("__overrides");
            attrs.attrs.iter().any(|a| Some(a.name) == overrides)
        };
        // The values are pushed in symbol order (a set's order), so the VM
        // builds the set without sorting: each value is lazy, so the order
        // they are made in is not observable. `__overrides` finds a rec
        // set's slots by the shape's names, which stay in slot order.
        let mut order: Vec<usize> = (0..attrs.attrs.len()).collect();
        if !has_overrides {
            order.sort_by_key(|&i| attrs.attrs[i].name);
        }
        let names: Vec<_> = order.iter().map(|&i| (attrs.attrs[i].name, self.pos(attrs.attrs[i].range))).collect();
        let in_order = names.windows(2).all(|w| w[0].0 < w[1].0);
        let shape = AttrsShape { names, dynamic: attrs.dynamic.iter().map(|d| self.pos(d.range)).collect(), in_order };
        self.chunk.shapes.push(shape);
        let shape = self.chunk.shapes.len() as u32 - 1;
        let n = attrs.attrs.len() as u32;
        if attrs.rec {
            let sources = attrs.inherit_from.len() as u32;
            self.push_env(n + sources, true);
            for (i, source) in attrs.inherit_from.iter().enumerate() {
                self.lazy(*source);
                self.set_slot(n + i as u32);
            }
            if has_overrides {
                for (i, attr) in attrs.attrs.iter().enumerate() {
                    match &attr.value {
                        // With `__overrides`, CppNix gives every attribute
                        // defined by an expression its own thunk, so an
                        // attribute bound to another (`b = a`) sees a's
                        // override.
                        AttrValue::Expr(e) => self.thunk(*e),
                        value => self.binding(value, 1, Ok(n)),
                    }
                    self.set_slot(i as u32);
                }
            } else {
                self.bind_slots(attrs.attrs.iter().map(|a| &a.value), n);
            }
            self.building.pop();
            for &i in &order {
                self.emit(Op::Local { level: 0, slot: i as u32 });
            }
            self.dynamic_attrs(attrs);
            self.at(range);
            self.emit(Op::Attrs(shape));
            if has_overrides {
                self.emit(Op::Overrides(shape));
            }
            self.pop_env();
        } else {
            let sources = attrs.inherit_from.len() as u32;
            for source in &attrs.inherit_from {
                self.lazy(*source);
            }
            for (pushed, &i) in order.iter().enumerate() {
                // The first source sits below the sources and the values
                // pushed so far.
                self.binding(&attrs.attrs[i].value, 0, Err((sources + pushed as u32).saturating_sub(1)));
            }
            self.dynamic_attrs(attrs);
            self.at(range);
            self.emit(Op::Attrs(shape));
            if sources > 0 {
                self.emit(Op::Slide(sources));
            }
        }
    }

    fn dynamic_attrs(&mut self, attrs: &hir::Attrs) {
        for d in &attrs.dynamic {
            self.strict(d.name);
            self.lazy(d.value);
        }
    }

    fn let_in(&mut self, l: &hir::Let) {
        let n = l.bindings.len() as u32;
        let sources = l.inherit_from.len() as u32;
        self.push_env(n + sources, true);
        for (i, source) in l.inherit_from.iter().enumerate() {
            self.lazy(*source);
            self.set_slot(n + i as u32);
        }
        self.bind_slots(l.bindings.iter().map(|b| &b.value), n);
        self.building.pop();
        self.strict(l.body);
        self.pop_env();
    }

    fn lambda(&mut self, l: &hir::Lambda, range: TextRange) {
        let formal_count = l.formals.as_ref().map_or(0, |f| f.entries.len());
        let mut defaults = Vec::new();
        let mut body = self.sub_chunk(|c| {
            if l.formals.is_some() {
                // Three instructions, which the VM's unwinding knows
                // (`FORMALS_PROLOGUE_END`).
                c.emit(Op::Local { level: 0, slot: 0 });
                c.emit(Op::Force);
                c.at(range);
                c.emit(Op::Formals);
            }
            if let Some(formals) = &l.formals {
                for f in &formals.entries {
                    defaults.push(f.default.map(|d| {
                        let chunk = c.sub_chunk(|c| c.strict(d));
                        Gc::new(chunk)
                    }));
                }
            }
            c.strict(l.body);
        });
        let formals = l.formals.as_ref().map(|f| FormalsInfo {
            entries: f
                .entries
                .iter()
                .zip(defaults)
                .enumerate()
                .map(|(i, (formal, default))| {
                    let value = default.as_ref().and_then(|d| d.constant_value(self.input.globals));
                    let closed = value.is_none() && default.as_ref().is_some_and(|d| d.is_closed());
                    FormalInfo {
                        name: formal.name,
                        pos: self.pos(formal.range),
                        slot: i as u32 + 1,
                        closed_env: closed.then(|| crate::value::Env::new(None, 0)),
                        value,
                        default,
                        default_slot: match formal.default.map(|d| self.hir().expr(d)) {
                            Some(Expr::Var(Var::Local { level: 0, slot, .. })) => Some(*slot),
                            _ => None,
                        },
                    }
                })
                .collect(),
            ellipsis: f.ellipsis,
            function_args: std::cell::OnceCell::new(),
        });
        let returns_lambda = match body.code[..] {
            [Op::Closure(i), Op::Return] if formals.is_none() => Some(i),
            _ => None,
        };
        let stack_env = formals.is_none() && returns_lambda.is_none() && keep_argument_on_stack(&mut body);
        // Numeric operations on the argument (and their thunks' code, if
        // they are made) force it too.
        let forces_arg_only = stack_env && !body.code.iter().any(|op| matches!(op, Op::Arg(_)));
        let call2 = returns_lambda
            .map(|i| &body.lambdas[i as usize])
            .filter(|inner| inner.stack_env)
            .map(|inner| Call2 { body: Gc::new(two_arguments_on_stack(&inner.body)), inner: inner.clone() });
        let info = LambdaInfo {
            name: l.name,
            arg: l.arg,
            pos: self.pos(range),
            env_size: 1 + formal_count as u32,
            formals,
            body: Gc::new(body),
            returns_lambda,
            stack_env,
            forces_arg_only,
            call2,
        };
        self.chunk.lambdas.push(Gc::new(info));
        let i = self.chunk.lambdas.len() as u32 - 1;
        self.emit(Op::Closure(i));
    }

    pub(crate) fn resolve_path(&mut self, kind: PathKind, literal: &str) -> Vec<u8> {
        match kind {
            PathKind::Home => {
                let mut out = self.input.home.unwrap_or(b"").to_vec();
                out.extend_from_slice(&literal.as_bytes()[1..]);
                out
            }
            PathKind::Absolute | PathKind::Relative | PathKind::Search => {
                let mut full = Vec::new();
                if kind == PathKind::Relative {
                    full.extend_from_slice(self.input.base_dir.as_os_str().as_encoded_bytes());
                    full.push(b'/');
                }
                full.extend_from_slice(literal.as_bytes());
                let mut out = canon_path(&full);
                if literal.len() > 1 && literal.ends_with('/') && out != b"/" {
                    out.push(b'/');
                }
                out
            }
        }
    }
}

/// Lexically canonical absolute path: no `.`, `..`, empty components, or
/// trailing slash (CppNix's `CanonPath`).
pub fn canon_path(path: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for comp in path.split(|&b| b == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    for p in &parts {
        out.push(b'/');
        out.extend_from_slice(p);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

/// The operation of a numeric operator, as [`EagerThunk`]s and
/// [`Op::IntRhs`] name it.
fn numeric_op(op: BinaryOp) -> Option<EagerOp> {
    Some(match op {
        BinaryOp::Add => EagerOp::Add,
        BinaryOp::Sub => EagerOp::Sub,
        BinaryOp::Mul => EagerOp::Mul,
        BinaryOp::Div => EagerOp::Div,
        BinaryOp::Lt => EagerOp::Lt,
        BinaryOp::Le => EagerOp::Le,
        BinaryOp::Gt => EagerOp::Gt,
        BinaryOp::Ge => EagerOp::Ge,
        BinaryOp::Eq => EagerOp::Eq,
        BinaryOp::Neq => EagerOp::Neq,
        _ => return None,
    })
}

/// Turns the body of a function `x: ...` that never captures its
/// environment into code that reads the argument from the value stack
/// ([`LambdaInfo::stack_env`]), sparing each call an environment. Returns
/// whether it did.
///
/// Capturing means making something that outlives the instruction with a
/// reference to the environment: a thunk, a function, a `let` or `with`
/// environment inside it. A numeric operation that may be computed at once
/// ([`Op::EagerThunk`]) captures only when it cannot be; it then gets
/// environments of its own, holding copies of the arguments, and its
/// thunk's code keeps the levels it was compiled with.
fn keep_argument_on_stack(body: &mut Chunk) -> bool {
    let captures = body.code.iter().any(|op| match op {
        Op::Thunk(_)
        | Op::Closure(_)
        | Op::PushEnv(_)
        | Op::PopEnv
        | Op::SetSlot(_)
        | Op::EnterWith
        | Op::Overrides(_)
        | Op::Formals => true,
        Op::Local { level: 0, slot } | Op::LocalForce { level: 0, slot } => *slot != 0,
        _ => false,
    });
    if captures {
        return false;
    }
    move_environment_to_stack(body);
    true
}

/// The body of `x: y: ...` with both arguments on the stack, from the inner
/// function's body `inner` (already `stack_env`): `x`'s environment, the
/// innermost one left, goes to the stack too.
fn two_arguments_on_stack(inner: &Chunk) -> Chunk {
    let mut body = inner.clone();
    move_environment_to_stack(&mut body);
    body
}

/// Rewrites `body` so that the innermost environment it reads (one slot)
/// is an argument on the value stack, in front of those already there.
fn move_environment_to_stack(body: &mut Chunk) {
    // Variables further out are one level closer.
    let outer = |level: u16| level - 1;
    for op in &mut body.code {
        *op = match *op {
            Op::Arg(i) => Op::Arg(i + 1),
            Op::ArgForce(i) => Op::ArgForce(i + 1),
            Op::Local { level: 0, .. } => Op::Arg(0),
            Op::LocalForce { level: 0, .. } => Op::ArgForce(0),
            Op::Local { level, slot } => Op::Local { level: outer(level), slot },
            Op::LocalForce { level, slot } => Op::LocalForce { level: outer(level), slot },
            // A function's environment is never a `with`'s.
            Op::With { level, name } => Op::With { level: level.saturating_sub(1), name },
            op => op,
        };
    }
    let operand = |o: Operand| match o {
        Operand::Arg(i) => Operand::Arg(i + 1),
        Operand::Local { level: 0, .. } => Operand::Arg(0),
        Operand::Local { level, slot } => Operand::Local { level: outer(level), slot },
        o => o,
    };
    for e in &mut body.eager {
        e.lhs = operand(e.lhs);
        e.rhs = operand(e.rhs);
    }
    body.stack_args += 1;
}
