//! Evaluation errors: what went wrong, where, and the trace that led there.

use std::fmt;

use crate::source::Pos;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `throw`: caught by `tryEval`.
    Throw,
    /// A failed `assert`: caught by `tryEval`.
    Assertion,
    /// `abort`: not caught.
    Abort,
    InfiniteRecursion,
    /// Too many nested calls (`--max-call-depth`).
    StackOverflow,
    /// A syntax error or undefined variable in an imported file.
    Parse,
    /// Everything else: type errors, missing attributes, ...
    Eval,
}

/// One `… while ...` line of a trace.
#[derive(Debug, Clone)]
pub struct TraceFrame {
    pub message: String,
    pub pos: Option<Pos>,
}

#[derive(Debug, Clone)]
pub struct EvalError {
    pub kind: ErrorKind,
    pub message: String,
    pub pos: Option<Pos>,
    /// Innermost first.
    pub trace: Vec<TraceFrame>,
}

impl EvalError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> EvalError {
        EvalError { kind, message: message.into(), pos: None, trace: Vec::new() }
    }

    pub fn eval(message: impl Into<String>) -> EvalError {
        EvalError::new(ErrorKind::Eval, message)
    }

    pub fn at(mut self, pos: Pos) -> EvalError {
        if self.pos.is_none() {
            self.pos = Some(pos);
        }
        self
    }

    pub fn with_frame(mut self, message: impl Into<String>, pos: Option<Pos>) -> EvalError {
        self.trace.push(TraceFrame { message: message.into(), pos });
        self
    }

    /// Whether `builtins.tryEval` turns this error into `{ success = false; }`.
    pub fn is_catchable(&self) -> bool {
        matches!(self.kind, ErrorKind::Throw | ErrorKind::Assertion)
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

pub type EvalResult<T> = Result<T, EvalError>;
