//! The parser: tokens to events to a rowan green tree.
//!
//! The grammar functions (in `grammar`) never build nodes themselves. They
//! emit events, start a node, consume a token, finish a node, through a
//! `Parser` that sees only the significant tokens. `sink` then replays the
//! events over the full token list, putting whitespace and comments back, and
//! builds the lossless tree. Keeping trivia out of the grammar is what lets it
//! stay a plain recursive-descent parser with Pratt parsing for operators.

mod grammar;
mod sink;

use std::num::NonZeroU32;

use rowan::{TextRange, TextSize};

use crate::lexer::Token;
use crate::SyntaxError;
use crate::SyntaxKind::{self, *};

pub(crate) use sink::build_tree;

/// Deeper nesting than this is reported as an error instead of risking the
/// native stack: each level costs a handful of recursive calls.
const MAX_DEPTH: u32 = 1024;

#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// Opens a node. `forward_parent`, when set, is the offset (in events)
    /// of a node started later that must become this node's parent: that is
    /// how a finished left operand gets wrapped by the operator after it.
    Start {
        kind: SyntaxKind,
        forward_parent: Option<NonZeroU32>,
    },
    Finish,
    /// Consumes the next significant token.
    Token,
    /// A start that was abandoned or moved by `forward_parent`.
    Tombstone,
}

pub(crate) struct Parser<'t> {
    /// Kind of every significant token, with `EOF`-like sentinel handling in `nth`.
    kinds: &'t [SyntaxKind],
    /// Byte range of every significant token.
    ranges: &'t [TextRange],
    /// Index of every significant token among all tokens (to tell adjacency).
    raw_index: &'t [u32],
    src_len: TextSize,
    pos: usize,
    pub(crate) events: &'t mut Vec<Event>,
    pub(crate) errors: Vec<SyntaxError>,
    depth: u32,
}

/// The kind `Parser::nth` reports past the last token.
pub(crate) const EOF: SyntaxKind = SyntaxKind::__LAST;

/// The parser's working arrays, kept between parses on a thread so that
/// parsing many files (imports, an editor's every keystroke) does not map
/// and fault in fresh memory each time.
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) tokens: Vec<Token>,
    kinds: Vec<SyntaxKind>,
    ranges: Vec<TextRange>,
    raw_index: Vec<u32>,
    pub(crate) events: Vec<Event>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Scratch arrays larger than this many tokens are not kept.
const MAX_KEPT_TOKENS: usize = 4 << 20;

impl Scratch {
    pub(crate) fn take() -> Scratch {
        SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()))
    }

    pub(crate) fn give_back(mut self) {
        if self.tokens.capacity() > MAX_KEPT_TOKENS {
            return;
        }
        self.tokens.clear();
        self.kinds.clear();
        self.ranges.clear();
        self.raw_index.clear();
        self.events.clear();
        SCRATCH.with(|s| *s.borrow_mut() = self);
    }
}

impl Parser<'_> {
    pub(crate) fn current(&self) -> SyntaxKind {
        self.nth(0)
    }

    pub(crate) fn nth(&self, n: usize) -> SyntaxKind {
        self.kinds.get(self.pos + n).copied().unwrap_or(EOF)
    }

    pub(crate) fn at(&self, kind: SyntaxKind) -> bool {
        self.current() == kind
    }

    pub(crate) fn at_eof(&self) -> bool {
        self.pos >= self.kinds.len()
    }

    /// Whether the current token follows the previous one with no trivia
    /// between them (paths continue only then).
    pub(crate) fn current_is_adjacent(&self) -> bool {
        self.pos > 0 && self.pos < self.kinds.len() && self.raw_index[self.pos] == self.raw_index[self.pos - 1] + 1
    }

    /// The byte range of the current token, or an empty range at the end.
    pub(crate) fn current_range(&self) -> TextRange {
        self.ranges.get(self.pos).copied().unwrap_or_else(|| TextRange::empty(self.src_len))
    }

    pub(crate) fn start(&mut self) -> Marker {
        let pos = self.events.len() as u32;
        self.events.push(Event::Start { kind: ERROR, forward_parent: None });
        Marker { pos, completed: false }
    }

    pub(crate) fn bump(&mut self) {
        debug_assert!(!self.at_eof());
        if self.at_eof() {
            return;
        }
        self.events.push(Event::Token);
        self.pos += 1;
    }

    pub(crate) fn eat(&mut self, kind: SyntaxKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Consumes `kind` or reports that it was expected.
    pub(crate) fn expect(&mut self, kind: SyntaxKind) -> bool {
        if self.eat(kind) {
            return true;
        }
        self.error_expecting(kind.describe());
        false
    }

    /// "unexpected X" about the current token.
    pub(crate) fn error_unexpected(&mut self) {
        let msg = format!("syntax error, unexpected {}", self.describe_current());
        self.error_at(self.current_range(), msg);
    }

    /// "unexpected X, expecting Y" about the current token.
    pub(crate) fn error_expecting(&mut self, expected: &str) {
        let msg = format!("syntax error, unexpected {}, expecting {expected}", self.describe_current());
        self.error_at(self.current_range(), msg);
    }

    pub(crate) fn error_at(&mut self, range: TextRange, message: String) {
        // One mistake often confuses what follows; keep only the first error
        // at any one place.
        if self.errors.last().is_some_and(|e| e.range.start() == range.start()) {
            return;
        }
        self.errors.push(SyntaxError::new(message, range));
    }

    fn describe_current(&self) -> &'static str {
        match self.current() {
            EOF => "end of file",
            kind => kind.describe(),
        }
    }

    /// Wraps the current token in an error node, after reporting it.
    pub(crate) fn bump_error(&mut self) {
        let m = self.start();
        self.bump();
        m.complete(self, ERROR);
    }

    /// Enters one level of nesting; false (with an error) when too deep.
    pub(crate) fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            if !self.errors.iter().any(|e| e.message.starts_with("expression nested")) {
                self.error_at(self.current_range(), "expression nested too deeply".to_string());
            }
            return false;
        }
        self.depth += 1;
        true
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }
}

/// A node being parsed; it must be completed or abandoned.
pub(crate) struct Marker {
    pos: u32,
    completed: bool,
}

impl Marker {
    pub(crate) fn complete(mut self, p: &mut Parser, kind: SyntaxKind) -> CompletedMarker {
        self.completed = true;
        match &mut p.events[self.pos as usize] {
            Event::Start { kind: k, .. } => *k = kind,
            _ => unreachable!("a marker points at its start event"),
        }
        p.events.push(Event::Finish);
        CompletedMarker { pos: self.pos }
    }

    pub(crate) fn abandon(mut self, p: &mut Parser) {
        self.completed = true;
        if self.pos as usize == p.events.len() - 1 {
            p.events.pop();
        } else {
            p.events[self.pos as usize] = Event::Tombstone;
        }
    }
}

impl Drop for Marker {
    fn drop(&mut self) {
        debug_assert!(self.completed || std::thread::panicking(), "marker dropped without completing it");
    }
}

#[derive(Clone, Copy)]
pub(crate) struct CompletedMarker {
    pos: u32,
}

impl CompletedMarker {
    /// Starts a new node that will contain this one.
    pub(crate) fn precede(self, p: &mut Parser) -> Marker {
        let new = p.start();
        match &mut p.events[self.pos as usize] {
            Event::Start { forward_parent, .. } => *forward_parent = NonZeroU32::new(new.pos - self.pos),
            _ => unreachable!("a completed marker points at its start event"),
        }
        new
    }
}

/// Parses a whole file; the events are left in `scratch.events`.
pub(crate) fn parse_tokens(scratch: &mut Scratch) -> Vec<SyntaxError> {
    let Scratch { tokens, kinds, ranges, raw_index, events } = scratch;
    kinds.clear();
    ranges.clear();
    raw_index.clear();
    events.clear();
    let mut offset = TextSize::from(0);
    for (i, token) in tokens.iter().enumerate() {
        let len = TextSize::from(token.len);
        if !token.kind.is_trivia() {
            kinds.push(token.kind);
            ranges.push(TextRange::at(offset, len));
            raw_index.push(i as u32);
        }
        offset += len;
    }
    events.reserve(kinds.len() * 3);
    let mut p = Parser { kinds, ranges, raw_index, src_len: offset, pos: 0, events, errors: Vec::new(), depth: 0 };
    grammar::root(&mut p);
    p.errors
}
