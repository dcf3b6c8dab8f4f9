//! The parser: tokens to a rowan green tree.
//!
//! The grammar functions (in `grammar`) see only the significant tokens.
//! They mark where a node starts, consume tokens and complete the node with
//! its kind; `builder` puts whitespace and comments back as tokens are
//! consumed and builds each green node, bottom-up, the moment it is
//! completed (no event list, no second pass). A completed node can still be
//! wrapped by a node started later (`CompletedMarker::precede`): that is how
//! the left operand of an infix operator ends up inside it. Keeping trivia
//! out of the grammar is what lets it stay a plain recursive-descent parser
//! with Pratt parsing for operators.

mod builder;
mod grammar;

use rowan::{GreenNode, TextRange, TextSize};

use crate::lexer::Token;
use crate::SyntaxError;
use crate::SyntaxKind::{self, *};

use builder::{Builder, Child};

/// Deeper nesting than this is reported as an error ("expression nested
/// too deeply"). A level is an expression inside another (a parenthesis
/// costs three, a list element two); 30 000 accepts what CppNix's parser
/// does (its stack holds 10 000 entries: 9 996 nested parentheses, about
/// 5 000 nested lists or functions). The recursion does not depend on the
/// thread's stack: see [`Parser::nested`].
const MAX_DEPTH: u32 = 30_000;

/// Every this many levels, the recursion checks that enough native stack is
/// left (see [`crate::stack`]; this many levels fit in its red zone with
/// room to spare). Checking at every level would cost about 1% of the
/// parse.
const STACK_CHECK: u32 = 32;

/// The most operators a chain (`1 + 1 + ...`, `f a a ...`, `a |> f |> ...`)
/// may wrap around its first operand, over all chains open at once. The
/// parser loops over a chain, but the tree it makes is as deep as the chain
/// is long, and the passes after it recurse on it (on heap-allocated stack
/// where needed, see [`crate::stack`]): past this length the chain is an
/// error ("expression nested too deeply"), which bounds that memory. CppNix
/// evaluates chains of 100 000 and overflows its stack on 200 000.
const MAX_CHAIN: u32 = 100_000;

/// Trees deeper than this are taken down in steps when dropped (see
/// `Parse`'s `Drop`): rowan drops a node's children recursively.
pub(crate) const DEEP_TREE: u32 = 2048;

pub(crate) struct Parser<'t> {
    /// The significant tokens; `nth` reports `EOF` past the last one.
    significant: &'t [Significant],
    tokens: &'t [Token],
    src_len: TextSize,
    pos: usize,
    tree: Builder<'t>,
    pub(crate) errors: Vec<SyntaxError>,
    depth: u32,
    /// Operators wrapped around the first operand of the chains now open.
    chain: u32,
    /// The deepest `depth + chain` reached: a bound on how deep the tree is,
    /// up to the handful of nodes each level adds.
    max_nesting: u32,
}

/// The kind `Parser::nth` reports past the last token.
pub(crate) const EOF: SyntaxKind = SyntaxKind::__LAST;

/// The parser's working arrays, kept between parses on a thread so that
/// parsing many files (imports, an editor's every keystroke) does not map
/// and fault in fresh memory each time.
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) tokens: Vec<Token>,
    significant: Vec<Significant>,
    children: Vec<Child>,
}

/// A significant token (not whitespace or a comment): what the parser sees.
#[derive(Clone, Copy)]
struct Significant {
    kind: SyntaxKind,
    /// Its index among all tokens.
    raw: u32,
    /// Where it starts.
    start: TextSize,
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
        self.significant.clear();
        self.children.clear();
        SCRATCH.with(|s| *s.borrow_mut() = self);
    }
}

impl<'t> Parser<'t> {
    pub(crate) fn current(&self) -> SyntaxKind {
        self.nth(0)
    }

    pub(crate) fn nth(&self, n: usize) -> SyntaxKind {
        self.significant.get(self.pos + n).map_or(EOF, |t| t.kind)
    }

    pub(crate) fn at(&self, kind: SyntaxKind) -> bool {
        self.current() == kind
    }

    pub(crate) fn at_eof(&self) -> bool {
        self.pos >= self.significant.len()
    }

    /// Whether the current token follows the previous one with no trivia
    /// between them (paths continue only then).
    pub(crate) fn current_is_adjacent(&self) -> bool {
        self.pos > 0
            && self.pos < self.significant.len()
            && self.significant[self.pos].raw == self.significant[self.pos - 1].raw + 1
    }

    /// The byte range of the current token, or an empty range at the end.
    pub(crate) fn current_range(&self) -> TextRange {
        match self.significant.get(self.pos) {
            Some(t) => TextRange::at(t.start, self.tokens[t.raw as usize].len.into()),
            None => TextRange::empty(self.src_len),
        }
    }

    /// Starts a node at the next token. Trivia before it stay outside.
    pub(crate) fn start(&mut self) -> Marker {
        let undo = self.tree.checkpoint();
        self.tree.trivia();
        Marker { pos: self.tree.len(), undo, completed: false }
    }

    /// The root's marker: the root begins at the first byte, trivia included.
    pub(crate) fn start_root(&mut self) -> Marker {
        debug_assert_eq!(self.tree.len(), 0);
        Marker { pos: 0, undo: self.tree.checkpoint(), completed: false }
    }

    /// Completes the root, with the trivia left at the end of the input.
    pub(crate) fn finish_root(&mut self, m: Marker) {
        self.tree.trivia();
        m.complete(self, ROOT);
    }

    pub(crate) fn bump(&mut self) {
        debug_assert!(!self.at_eof());
        if self.at_eof() {
            return;
        }
        self.tree.trivia();
        self.tree.token();
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

    /// A path's text ended where CppNix's grammar needs `${`.
    pub(crate) fn error_path_end(&mut self) {
        // Just after the piece the grammar bumped last.
        let piece = self.significant[self.pos - 1];
        let at = piece.start + TextSize::from(self.tokens[piece.raw as usize].len);
        self.error_at(TextRange::empty(at), "syntax error, unexpected end of path, expecting '${'".to_owned());
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
    #[inline]
    pub(crate) fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.too_deep();
            return false;
        }
        self.depth += 1;
        self.max_nesting = self.max_nesting.max(self.depth + self.chain);
        true
    }

    /// One more operator wrapped around a chain's first operand; false
    /// (with an error) when the chains are too long (see [`MAX_CHAIN`]). The
    /// caller gives back what it took with [`Parser::end_chain`].
    #[inline]
    pub(crate) fn extend_chain(&mut self) -> bool {
        if self.chain >= MAX_CHAIN {
            self.too_deep();
            return false;
        }
        self.chain += 1;
        self.max_nesting = self.max_nesting.max(self.depth + self.chain);
        true
    }

    pub(crate) fn end_chain(&mut self, links: u32) {
        self.chain -= links;
    }

    #[cold]
    fn too_deep(&mut self) {
        if !self.errors.iter().any(|e| e.message.starts_with("expression nested")) {
            self.error_at(self.current_range(), "expression nested too deeply".to_string());
        }
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Runs `f`, the rest of a level just entered, on enough native stack
    /// (see [`STACK_CHECK`]).
    #[inline]
    pub(crate) fn nested<R>(&mut self, f: impl FnOnce(&mut Parser<'t>) -> R) -> R {
        if self.depth.is_multiple_of(STACK_CHECK) {
            crate::stack::grow(|| f(self))
        } else {
            f(self)
        }
    }
}

/// A node being parsed; it must be completed or abandoned. `pos` is where
/// its children begin on the builder's stack.
pub(crate) struct Marker {
    pos: usize,
    /// The builder before the trivia the start put in place, to take them
    /// back if the node is abandoned with nothing in it.
    undo: builder::Checkpoint,
    completed: bool,
}

impl Marker {
    pub(crate) fn complete(mut self, p: &mut Parser, kind: SyntaxKind) -> CompletedMarker {
        self.completed = true;
        p.tree.finish_node(kind, self.pos);
        CompletedMarker { pos: self.pos }
    }

    /// Forgets the node: what was consumed since its start stays with the
    /// enclosing node, and the trivia before it wait for the next token.
    pub(crate) fn abandon(mut self, p: &mut Parser) {
        self.completed = true;
        if p.tree.len() == self.pos {
            p.tree.rewind(self.undo);
        }
    }
}

impl Drop for Marker {
    fn drop(&mut self) {
        debug_assert!(self.completed || std::thread::panicking(), "marker dropped without completing it");
    }
}

/// A completed node, still the last thing on the builder's stack.
#[derive(Clone, Copy)]
pub(crate) struct CompletedMarker {
    pos: usize,
}

impl CompletedMarker {
    /// Starts a new node that will contain this one (and what follows).
    pub(crate) fn precede(self, p: &mut Parser) -> Marker {
        debug_assert_eq!(p.tree.len(), self.pos + 1, "precede right after completing");
        Marker { pos: self.pos, undo: p.tree.checkpoint(), completed: false }
    }
}

/// The result of [`parse_tokens`].
pub(crate) struct Parsed {
    pub(crate) green: GreenNode,
    /// Syntax errors, in the order found.
    pub(crate) errors: Vec<SyntaxError>,
    /// Validation errors, sorted by range, without repeats.
    pub(crate) validation: Vec<SyntaxError>,
    /// Whether the tree may be deeper than [`DEEP_TREE`].
    pub(crate) deep: bool,
}

/// Parses a whole file from its tokens (`scratch.tokens`).
pub(crate) fn parse_tokens(src: &str, scratch: &mut Scratch) -> Parsed {
    let Scratch { tokens, significant, children } = scratch;
    significant.clear();
    children.clear();
    significant.reserve(tokens.len());
    let mut offset = 0u32;
    for (raw, token) in tokens.iter().enumerate() {
        if !token.kind.is_trivia() {
            significant.push(Significant { kind: token.kind, raw: raw as u32, start: offset.into() });
        }
        offset += token.len;
    }
    let offset = TextSize::from(offset);
    let tree = Builder::new(src, tokens, std::mem::take(children));
    let mut p = Parser {
        significant,
        tokens,
        src_len: offset,
        pos: 0,
        tree,
        errors: Vec::new(),
        depth: 0,
        chain: 0,
        max_nesting: 0,
    };
    grammar::root(&mut p);
    let (green, mut validation, spare) = p.tree.finish();
    *children = spare;
    // A set literal that is a binding's value is checked with its parent
    // and on its own; report each problem once.
    validation.sort_by_key(|e| (e.range.start(), e.range.end()));
    validation.dedup();
    // Each level of nesting is a few nodes deep at most.
    Parsed { green, errors: p.errors, validation, deep: p.max_nesting.saturating_mul(4) > DEEP_TREE }
}

#[cfg(test)]
mod tests {
    /// CppNix's grammar lets a piece of path text after the first be
    /// followed only by `${` until the path has an interpolation: `/a//b`
    /// lexes as `/a/` and `/b` and is an error, `/a/${b}//c` is not.
    #[test]
    fn path_pieces_need_an_interpolation_first() {
        for (src, error_at) in [("/a//b", Some(5)), ("~/a//b", Some(6)), ("x: x/a//b", Some(9))] {
            let parse = crate::parse(src);
            let errors: Vec<_> =
                parse.errors().iter().map(|e| (e.message.as_str(), u32::from(e.range.start()))).collect();
            assert_eq!(
                errors,
                vec![("syntax error, unexpected end of path, expecting '${'", error_at.unwrap())],
                "{src}"
            );
            assert_eq!(parse.syntax().to_string(), src, "the tree keeps the text");
        }
        for src in ["/a//${b}", "/a/${b}//c", "/a/b${c}", "./a/b", "/a/${b}/c${d}/e"] {
            assert!(crate::parse(src).errors().is_empty(), "{src}");
        }
    }
}
