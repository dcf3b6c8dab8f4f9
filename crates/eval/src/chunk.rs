//! Bytecode: instructions, chunks and compiled functions.

use crate::source::Pos;
use crate::symbol::Symbol;
use crate::value::{Env, Gc, Value};

/// One instruction. Operands are small indices into the chunk's tables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// Push `constants[i]`.
    Const(u32),
    /// Push a variable: slot `slot` of the environment `level` steps out.
    Local {
        level: u16,
        slot: u32,
    },
    /// `Local` then `Force`, in one step.
    LocalForce {
        level: u16,
        slot: u32,
    },
    /// Push argument `i` of the running function, which has no environment
    /// of its own (see [`LambdaInfo::stack_env`]): the arguments sit on the
    /// value stack from the frame's base. Levels of the other variables in
    /// such a body count from the function's closure.
    Arg(u32),
    /// `Arg` then `Force`.
    ArgForce(u32),
    /// Push the global of that name.
    Global(Symbol),
    /// Push a variable found in the `with` environments, starting `level` out.
    With {
        level: u16,
        name: Symbol,
    },
    /// Push a thunk of `chunks[i]` closing over the current environment.
    Thunk(u32),
    /// Push a function made of `lambdas[i]` and the current environment.
    Closure(u32),
    /// Evaluate the top of the stack to weak head normal form.
    Force,
    /// `[func, arg]` -> the application's value (in weak head normal form);
    /// the call site is kept here to save a lookup per call.
    Call(Pos),
    Pop,
    /// Push a copy of the value `i` places below the top (0 is the top).
    Pick(u32),
    /// Keep the top value and drop the `n` values below it.
    Slide(u32),
    /// Pop a value; push a thunk selecting `name` from it (`inherit (e) name`).
    SelectThunk(Symbol),
    /// End the chunk with the top of the stack as its value.
    Return,
    Jump(u32),
    /// Pop a forced value; jump when it is `false`; error (at this
    /// instruction's position) when not a Boolean.
    JumpIfFalse {
        target: u32,
    },
    /// As `JumpIfFalse`, but keep the value on the stack when jumping
    /// (for `&&`, `||`, `->`).
    JumpIfFalseKeep {
        target: u32,
    },
    JumpIfTrueKeep {
        target: u32,
    },
    /// Check a forced Boolean for `&&`/`||`/`->` right operands.
    AssertBool,
    /// New environment of `n` slots inside the current one.
    PushEnv(u32),
    /// Back to the enclosing environment.
    PopEnv,
    /// Pop into slot `i` of the current environment.
    SetSlot(u32),
    /// Pop a namespace; enter a `with` environment holding it.
    EnterWith,
    /// Pop `n` values into a list.
    List(u32),
    /// Build a set from `shapes[i]`: pops the static values, then (name,
    /// value) pairs of the dynamic attributes.
    Attrs(u32),
    /// Pop the set a `rec` literal just built; apply its `__overrides`
    /// (forcing them) to the set and to the environment's slots, which
    /// follow `shapes[i]`.
    Overrides(u32),
    /// Pop a forced set; push `name`'s value or fail. `definition` (an
    /// index in [`Chunk::select_steps`]) gives the trace frame for errors
    /// in forcing the value, at the attribute's definition.
    Select {
        name: Symbol,
        definition: u32,
    },
    /// Pop a set (forced) and the name (a forced string) for `x.${e}`.
    SelectDynamic {
        definition: u32,
    },
    /// Like `Select` but jump to `target` (leaving nothing pushed) when the
    /// attribute or a set along the way is missing.
    SelectOr {
        name: Symbol,
        target: u32,
    },
    SelectDynamicOr {
        target: u32,
    },
    /// Pop a value; push whether it is a set with `name`. Not a set: false.
    HasAttr(Symbol),
    HasAttrDynamic,
    /// Pop a value; push false and jump to `target` when it is not a set
    /// holding `name`, else push its value (for `a ? b.c` paths).
    HasAttrStep {
        name: Symbol,
        target: u32,
    },
    HasAttrDynamicStep {
        target: u32,
    },
    /// Number addition, as an operator for `arithmetic` (the `+` of the
    /// language is `Plus`).
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Neq,
    Concat,
    /// `a // b`, with `b` pushed first and `a` on top (CppNix evaluates
    /// the right operand first).
    Update,
    Not,
    Negate,
    /// Pop a forced condition; fail with the assertion's text (a constant)
    /// when it is false.
    Assert {
        text: u32,
    },
    /// Pop two forced values; fail with an explanation of how they differ
    /// when they are not equal (an `assert a == b;`), else push a null.
    AssertEq {
        text: u32,
        /// Where the `assert` starts; the instruction's own position is
        /// the `==`'s.
        assert_pos: Pos,
    },
    /// `a + b`: numbers add, a path gets a suffix, anything else
    /// concatenates as strings; `chunk.interpolations[i]` has the
    /// operands' positions.
    Plus(u32),
    /// Pop the values of `chunk.interpolations[i]`'s parts and concatenate
    /// them as strings or as a path (the first part is then a path).
    Interpolate(u32),
    /// Resolve a path literal (a constant) against the file's directory.
    Path(u32),
    /// Push `{ file, line, column }` of this instruction's position.
    CurPos,
    /// Check the argument of a function with formals (on the stack, forced)
    /// against `lambdas`-level info and fill the environment's slots.
    Formals,
    /// Push the value of `eager[i]` if its operands already allow it, or
    /// else a thunk of its chunk (see [`EagerThunk`]). In the body of a
    /// function without an environment of its own, that thunk gets the
    /// environments the arguments would have had, holding copies of them
    /// (bindings never change, so a copy is as good as the original).
    EagerThunk(u32),
    /// `op` with an integer literal as its right operand, which is not
    /// pushed: an integer on top is worked on in place; anything else goes
    /// the general way, as `Const` and the operation would.
    IntRhs {
        op: EagerOp,
        rhs: i32,
    },
    /// `Plus(positions)` with an integer literal as its right operand.
    PlusInt {
        rhs: i32,
        positions: u32,
    },
    /// Call the builtin of `builtin_calls[i]` with the arguments on top of
    /// the stack (what `Call`s of the curried builtin would do, without
    /// making its partial applications).
    CallBuiltin(u32),
}

/// A call of a builtin with all its arguments (see [`Op::CallBuiltin`]).
#[derive(Clone)]
pub struct BuiltinCall {
    pub op: &'static crate::builtins::PrimOp,
    pub argc: u8,
    /// The call site.
    pub pos: Pos,
}

/// The shape of a set literal: static names in order, and how many dynamic
/// attributes follow.
#[derive(Debug, Clone)]
pub struct AttrsShape {
    pub names: Vec<(Symbol, Pos)>,
    pub dynamic: Vec<Pos>,
    /// Whether the static names are in symbol order (a set's order), so a
    /// set with no dynamic attributes needs no sorting.
    pub in_order: bool,
}

/// A unit of code: a function body, a thunk body, or a file.
#[derive(Default, Clone)]
pub struct Chunk {
    pub code: Vec<Op>,
    /// How many arguments a frame running this chunk keeps on the value
    /// stack instead of in environments (see [`LambdaInfo::stack_env`]):
    /// none, one, or two for [`LambdaInfo::call2`].
    pub stack_args: u32,
    pub constants: Vec<Value>,
    /// `(instruction index, position)`, sorted: the position of an
    /// instruction is that of the last entry at or before it.
    pub positions: Vec<(u32, Pos)>,
    pub chunks: Vec<Gc<Chunk>>,
    pub lambdas: Vec<Gc<LambdaInfo>>,
    pub shapes: Vec<AttrsShape>,
    /// The function this chunk is the body of, for `Formals`.
    pub lambda: Option<std::rc::Weak<LambdaInfo>>,
    /// Instruction ranges whose errors gain a trace frame (CppNix's
    /// `e.addTrace(pos, "while evaluating ...")` around sub-evaluations).
    /// Inner ranges come before the ranges that contain them.
    pub contexts: Vec<TraceRegion>,
    pub interpolations: Vec<Interpolation>,
    pub eager: Vec<EagerThunk>,
    pub builtin_calls: Vec<BuiltinCall>,
    /// The steps of selection paths, for their "from the definition of"
    /// frames (see [`Op::Select`]).
    pub select_steps: Vec<SelectStep>,
}

impl Drop for Chunk {
    /// Functions and thunks nested in the source are chunks held by the
    /// enclosing chunk, so dropping them one inside the other would recurse
    /// as deep as the source nests (`x: x: ...` thousands deep). The nested
    /// chunks nothing else holds are taken out and dropped one after
    /// another here instead.
    fn drop(&mut self) {
        if self.chunks.is_empty() && self.lambdas.is_empty() {
            return;
        }
        let mut chunks = std::mem::take(&mut self.chunks);
        let mut lambdas = std::mem::take(&mut self.lambdas);
        loop {
            if let Some(lambda) = lambdas.pop() {
                if let Ok(LambdaInfo { body, call2, .. }) = Gc::try_unwrap(lambda) {
                    chunks.push(body);
                    if let Some(Call2 { body, inner }) = call2 {
                        chunks.push(body);
                        lambdas.push(inner);
                    }
                }
            } else if let Some(chunk) = chunks.pop() {
                if let Ok(mut chunk) = Gc::try_unwrap(chunk) {
                    chunks.append(&mut chunk.chunks);
                    lambdas.append(&mut chunk.lambdas);
                }
            } else {
                break;
            }
        }
    }
}

/// A step of a selection path `e.a.b.c`: the frame "from the definition of
/// 'a.b'" is the path's text up to the step. The steps of a path are
/// consecutive entries sharing one text (a text per step would make the
/// chunk of a long path quadratic in its length).
#[derive(Clone)]
pub struct SelectStep {
    pub path: std::rc::Rc<str>,
    /// The length of the text up to and including this step.
    pub prefix: u32,
}

impl SelectStep {
    pub fn frame_text(&self) -> String {
        format!("from the definition of '{}'", &self.path[..self.prefix as usize])
    }
}

/// A lazy operand such as `n - 1` or `i < 2`, whose value is computed when
/// the thunk would be made if its operands are numbers already evaluated
/// and the operation cannot fail. Nothing can observe the difference (no
/// error, no trace, no work left undone that could fail or diverge);
/// otherwise a thunk of `chunks[thunk]` is made as usual.
#[derive(Clone)]
pub struct EagerThunk {
    pub thunk: u32,
    pub op: EagerOp,
    pub lhs: Operand,
    pub rhs: Operand,
    /// Whether this is the argument of a call (`f (n - 1)`), whose function
    /// is under it on the stack: a function that only ever forces its
    /// argument ([`LambdaInfo::forces_arg_only`]) gets the value itself,
    /// without a thunk around it (nothing could print or compare the
    /// thunk).
    pub call_arg: bool,
}

// Instructions stay three words small.
const _: () = assert!(std::mem::size_of::<Op>() == 12);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EagerOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Neq,
}

impl EagerOp {
    /// The instruction for this operation on two values on the stack.
    pub fn instruction(self) -> Op {
        match self {
            EagerOp::Add => Op::Add,
            EagerOp::Sub => Op::Sub,
            EagerOp::Mul => Op::Mul,
            EagerOp::Div => Op::Div,
            EagerOp::Lt => Op::Lt,
            EagerOp::Le => Op::Le,
            EagerOp::Gt => Op::Gt,
            EagerOp::Ge => Op::Ge,
            EagerOp::Eq => Op::Eq,
            EagerOp::Neq => Op::Neq,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Operand {
    /// An argument of a function without an environment ([`Op::Arg`]).
    Arg(u32),
    /// A variable whose slot is filled when the thunk is made.
    Local {
        level: u16,
        slot: u32,
    },
    Int(i64),
    Float(f64),
}

/// The shape of a string or path with `${}` parts.
#[derive(Clone)]
pub struct Interpolation {
    /// Whether the result is a string even when the first part is a path.
    pub force_string: bool,
    /// Where each part is, for errors in coercing it.
    pub positions: Box<[Option<Pos>]>,
}

/// Errors raised by instructions `start..end` gain the frame `message` at
/// `pos`.
#[derive(Clone)]
pub struct TraceRegion {
    pub start: u32,
    pub end: u32,
    pub message: String,
    pub pos: Option<Pos>,
}

impl Chunk {
    /// Adds the frames of the regions around instruction `at`, innermost
    /// first.
    pub fn add_trace(&self, e: &mut crate::error::EvalError, at: usize) {
        let at = at as u32;
        for region in &self.contexts {
            if region.start <= at && at < region.end {
                e.push_frame(region.message.clone(), region.pos);
            }
        }
    }

    pub fn pos_at(&self, ip: usize) -> Option<Pos> {
        let i = self.positions.partition_point(|(at, _)| *at as usize <= ip);
        i.checked_sub(1).map(|i| self.positions[i].1)
    }

    /// The value of code that only pushes a constant or a global.
    pub fn constant_value(&self, globals: &dyn Fn(Symbol) -> Option<Value>) -> Option<Value> {
        match self.code[..] {
            [Op::Const(i), Op::Return] => self.constants.get(i as usize).cloned(),
            [Op::Global(name), Op::Return] | [Op::Global(name), Op::Force, Op::Return] => globals(name),
            _ => None,
        }
    }

    /// Whether the code reads no environment: only constants, globals,
    /// and lists and sets made of them.
    pub fn is_closed(&self) -> bool {
        self.chunks.is_empty()
            && self.lambdas.is_empty()
            && self.code.iter().all(|op| {
                matches!(
                    op,
                    Op::Const(_)
                        | Op::Global(_)
                        | Op::List(_)
                        | Op::Attrs(_)
                        | Op::Force
                        | Op::Pop
                        | Op::Pick(_)
                        | Op::Slide(_)
                        | Op::Return
                )
            })
    }
}

/// A compiled function.
pub struct LambdaInfo {
    pub name: Option<Symbol>,
    /// The argument's name (`x: ...` or the `@` name), for `--xml`.
    pub arg: Option<Symbol>,
    pub pos: Pos,
    /// Slots of its environment: the argument in slot 0, then the formals.
    pub env_size: u32,
    pub formals: Option<FormalsInfo>,
    pub body: Gc<Chunk>,
    /// For `x: y: ...`: the body is only `Closure(i)`, so a call makes
    /// the inner function at once, without running a frame (nothing in it
    /// can fail).
    pub returns_lambda: Option<u32>,
    /// Whether a call keeps the argument on the value stack instead of
    /// making an environment: so for a body that never captures its
    /// environment (no thunks, functions, `let` or `with` in it). Its code
    /// reads the argument with [`Op::Arg`].
    pub stack_env: bool,
    /// Whether the body only ever forces its argument (it never passes it
    /// on, stores it or returns it unforced): then whether the argument
    /// came in a thunk or not makes no difference. Only worked out for
    /// `stack_env` functions.
    pub forces_arg_only: bool,
    /// For `x: y: ...` whose inner function is `stack_env`: how a call with
    /// both arguments (`foldl'`'s) runs without making an environment for
    /// `x`.
    pub call2: Option<Call2>,
}

/// See [`LambdaInfo::call2`].
pub struct Call2 {
    /// The inner function's body with both arguments on the stack (`x`
    /// first).
    pub body: Gc<Chunk>,
    /// The inner function, whose call the frame is.
    pub inner: Gc<LambdaInfo>,
}

pub struct FormalsInfo {
    /// Sorted by symbol; slot of each; its default's code.
    pub entries: Vec<FormalInfo>,
    pub ellipsis: bool,
    /// `builtins.functionArgs` of the function, made once: `callPackage`
    /// asks for it on every call.
    pub function_args: std::cell::OnceCell<crate::value::Attrs>,
}

pub struct FormalInfo {
    pub name: Symbol,
    /// Where the formal is written (for `unsafeGetAttrPos` on `functionArgs`).
    pub pos: Pos,
    pub slot: u32,
    pub default: Option<Gc<Chunk>>,
    /// When the default is just another formal of the same function (its
    /// slot): that formal's value is shared once it is bound, as CppNix's
    /// `ExprVar::maybeThunk` does.
    pub default_slot: Option<u32>,
    /// For a default that reads no variable (`[ "out" ]`, `{ }`) and is
    /// not a `value`: the environment its thunks run in, shared and empty.
    /// A default's thunk holding the function's own environment, whose
    /// slot holds the thunk, is a reference cycle, never freed when the
    /// default is not used.
    pub closed_env: Option<Gc<Env>>,
    /// For a default that is a constant or a global (`1`, `"s"`, `null`):
    /// its value, bound without a thunk, as CppNix's `maybeThunk` does.
    pub value: Option<Value>,
}
