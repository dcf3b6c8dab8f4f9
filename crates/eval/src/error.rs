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
    /// CppNix's `UsageError` (an unknown hash algorithm, ...): not caught
    /// by `tryEval`, and followed by a hint to read `--help`.
    Usage,
}

/// One `… while ...` line of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceFrame {
    pub message: String,
    pub pos: Option<Pos>,
    /// Printed even where a trace without `--show-trace` is cut short.
    pub always: bool,
}

/// The frames of an error, innermost first. Clones of an error share them,
/// as CppNix's memoized failures share the exception object: a thunk that
/// failed keeps the frames its error gains while it propagates further (so
/// a later force shows them too). [`Trace::fresh`] copies them, as CppNix
/// rethrows a fresh instance from a memoized failure.
#[derive(Debug, Clone, Default)]
pub struct Trace(std::rc::Rc<std::cell::RefCell<Vec<TraceFrame>>>);

impl Trace {
    pub fn push(&self, frame: TraceFrame) {
        self.0.borrow_mut().push(frame);
    }

    pub fn pop(&self) -> Option<TraceFrame> {
        self.0.borrow_mut().pop()
    }

    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    pub fn last(&self) -> Option<TraceFrame> {
        self.0.borrow().last().cloned()
    }

    /// Changes the innermost frame, if any.
    pub fn edit_last(&self, f: impl FnOnce(&mut TraceFrame)) {
        if let Some(frame) = self.0.borrow_mut().last_mut() {
            f(frame);
        }
    }

    /// The frames now, innermost first.
    pub fn frames(&self) -> Vec<TraceFrame> {
        self.0.borrow().clone()
    }

    /// A copy that no longer shares frames with this one.
    pub fn fresh(&self) -> Trace {
        Trace(std::rc::Rc::new(std::cell::RefCell::new(self.frames())))
    }
}

/// An evaluation error. It is one pointer wide, so results (`EvalResult`,
/// returned by every step of the VM) stay small; the fields are read
/// through `Deref`.
#[derive(Debug, Clone)]
pub struct EvalError(Box<EvalErrorData>);

#[derive(Debug, Clone)]
pub struct EvalErrorData {
    pub kind: ErrorKind,
    pub message: String,
    pub pos: Option<Pos>,
    pub trace: Trace,
    /// For infinite recursion: the identity of the thunk found blackholed,
    /// so the force that started the cycle can mark where it entered it.
    pub cycle: Option<usize>,
    /// "Did you mean ...?" candidates, best first.
    pub suggestions: Vec<String>,
}

impl EvalError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> EvalError {
        EvalError(Box::new(EvalErrorData {
            kind,
            message: message.into(),
            pos: None,
            trace: Trace::default(),
            cycle: None,
            suggestions: Vec::new(),
        }))
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

    /// Suggests the names among `candidates` closest to `wanted` (at most
    /// five, at edit distance two or less, as CppNix's `Suggestions`).
    pub fn suggesting<'a>(mut self, wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> EvalError {
        let mut scored: Vec<(usize, &str)> =
            candidates.into_iter().map(|c| (levenshtein(wanted.as_bytes(), c.as_bytes()), c)).collect();
        scored.sort();
        scored.dedup();
        self.suggestions =
            scored.into_iter().take_while(|(d, _)| *d <= 2).take(5).map(|(_, c)| c.to_string()).collect();
        self
    }

    pub fn at_opt(self, pos: Option<Pos>) -> EvalError {
        match pos {
            Some(pos) => self.at(pos),
            None => self,
        }
    }

    pub fn with_frame(self, message: impl Into<String>, pos: Option<Pos>) -> EvalError {
        self.trace.push(TraceFrame { message: message.into(), pos, always: false });
        self
    }

    /// A frame shown even where the trace is cut short (CppNix's
    /// `TracePrint::Always`).
    pub fn with_always_frame(self, message: impl Into<String>, pos: Option<Pos>) -> EvalError {
        self.trace.push(TraceFrame { message: message.into(), pos, always: true });
        self
    }

    /// Adds a frame in place (for errors passing through the VM).
    pub fn push_frame(&mut self, message: impl Into<String>, pos: Option<Pos>) {
        self.trace.push(TraceFrame { message: message.into(), pos, always: false });
    }

    /// Whether `builtins.tryEval` turns this error into `{ success = false; }`.
    pub fn is_catchable(&self) -> bool {
        matches!(self.kind, ErrorKind::Throw | ErrorKind::Assertion)
    }
}

impl std::ops::Deref for EvalError {
    type Target = EvalErrorData;

    fn deref(&self) -> &EvalErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for EvalError {
    fn deref_mut(&mut self) -> &mut EvalErrorData {
        &mut self.0
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

pub type EvalResult<T> = Result<T, EvalError>;

fn levenshtein(a: &[u8], b: &[u8]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(x != y);
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(substitution);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
