//! Builds the green tree while the grammar runs.
//!
//! The builder walks the full token list (trivia included) in step with the
//! parser: consuming a significant token first puts the trivia before it in
//! place. Completed children wait on a stack; completing a node replaces its
//! children on the stack by the node, built with `GreenNode::new` (exact
//! size, one allocation).
//!
//! Sharing: rowan trees are immutable, so identical tokens may be one
//! object. Tokens whose text is fixed by their kind (keywords,
//! punctuation) and whitespace of the common shapes (a space, newlines and
//! an indent) are made once per parse and found by index, without hashing.
//! Other tokens and all nodes are built afresh. Interning names and
//! hash-consing small nodes (as rowan's `NodeCache` does) was measured and
//! rejected: it saves a few instructions but costs more time than it saves
//! (lookups in tables of tens of thousands of entries miss the cache, while
//! fresh allocations are sequential), 10-20% of the parse on an
//! `all-packages.nix`-shaped input.
//!
//! The parse-time checks of [`crate::validation`] run on each set, `let` and
//! pattern node as it is completed, on names noted as each binding was
//! completed, so there is no second walk over the tree.

use rowan::{GreenNode, GreenToken, NodeOrToken, TextSize};

use crate::lexer::Token;
use crate::{validation, SyntaxError, SyntaxKind};

/// A finished child of a node still being built.
pub(crate) type Child = NodeOrToken<GreenNode, GreenToken>;

/// Spaces of indentation a cached whitespace token may have.
const INDENTS: usize = 32;

/// Where the builder stood, to go back to (see `Marker::abandon`).
#[derive(Clone, Copy)]
pub(crate) struct Checkpoint {
    len: u32,
    raw: u32,
    offset: u32,
}

struct Cache {
    /// For kinds with fixed text (keywords, punctuation): one token each.
    by_kind: Vec<Option<GreenToken>>,
    /// Whitespace of the common shapes (see `whitespace_slot`).
    whitespace: Vec<Option<GreenToken>>,
}

impl Cache {
    fn new() -> Cache {
        Cache { by_kind: vec![None; SyntaxKind::ROOT as usize], whitespace: vec![None; 1 + NEWLINES * (INDENTS + 1)] }
    }

    /// The token of `kind` over `src[start..end]`.
    #[inline]
    fn token(&mut self, kind: SyntaxKind, src: &str, start: usize, end: usize) -> GreenToken {
        let slot = match kind {
            SyntaxKind::WHITESPACE => match whitespace_slot(&src.as_bytes()[start..end]) {
                Some(slot) => &mut self.whitespace[slot],
                None => return GreenToken::new(kind.into(), &src[start..end]),
            },
            _ if has_fixed_text(kind) => &mut self.by_kind[kind as usize],
            _ => return GreenToken::new(kind.into(), &src[start..end]),
        };
        slot.get_or_insert_with(|| GreenToken::new(kind.into(), &src[start..end])).clone()
    }
}

/// Lines a cached whitespace token may end.
const NEWLINES: usize = 3;

/// The whitespace cache's slot for `text`, if it has a common shape: one
/// space, or up to `NEWLINES` newlines followed by up to `INDENTS` spaces.
fn whitespace_slot(text: &[u8]) -> Option<usize> {
    let (lines, indent) = match text {
        b" " => return Some(0),
        [b'\n', b'\n', b'\n', rest @ ..] => (3, rest),
        [b'\n', b'\n', rest @ ..] => (2, rest),
        [b'\n', rest @ ..] => (1, rest),
        _ => return None,
    };
    if indent.len() > INDENTS || !indent.iter().all(|&b| b == b' ') {
        return None;
    }
    Some(1 + (lines - 1) * (INDENTS + 1) + indent.len())
}

fn has_fixed_text(kind: SyntaxKind) -> bool {
    use SyntaxKind::*;
    (kind as u16) >= (ASSERT_KW as u16) && (kind as u16) <= (PIPE_FROM as u16)
        || matches!(kind, DQUOTE | IND_STRING_CLOSE)
}

pub(crate) struct Builder<'s> {
    src: &'s str,
    /// All tokens, trivia included.
    tokens: &'s [Token],
    /// The next token to put in the tree, and where it starts.
    raw: usize,
    offset: usize,
    /// Finished children of the nodes being built, innermost last.
    children: Vec<Child>,
    cache: Cache,
    /// Errors of the parse-time checks.
    errors: Vec<SyntaxError>,
    /// Names bound by the bindings completed so far whose set is not.
    names: Vec<validation::BoundName>,
}

impl<'s> Builder<'s> {
    /// A builder over `tokens`; `children` is an empty vector to reuse.
    pub(crate) fn new(src: &'s str, tokens: &'s [Token], children: Vec<Child>) -> Builder<'s> {
        debug_assert!(children.is_empty());
        Builder { src, tokens, raw: 0, offset: 0, children, cache: Cache::new(), errors: Vec::new(), names: Vec::new() }
    }

    /// How many finished children wait on the stack.
    pub(crate) fn len(&self) -> usize {
        self.children.len()
    }

    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint { len: self.children.len() as u32, raw: self.raw as u32, offset: self.offset as u32 }
    }

    /// Goes back to `c`; only trivia may have been added since.
    pub(crate) fn rewind(&mut self, c: Checkpoint) {
        debug_assert!(self.children[c.len as usize..].iter().all(|c| match c {
            NodeOrToken::Token(t) => SyntaxKind::from_raw(t.kind().0).is_trivia(),
            NodeOrToken::Node(_) => false,
        }));
        self.children.truncate(c.len as usize);
        self.raw = c.raw as usize;
        self.offset = c.offset as usize;
    }

    /// Puts the next token in place.
    #[inline]
    pub(crate) fn token(&mut self) {
        let t = self.tokens[self.raw];
        let end = self.offset + t.len as usize;
        let token = self.cache.token(t.kind, self.src, self.offset, end);
        self.children.push(NodeOrToken::Token(token));
        self.offset = end;
        self.raw += 1;
    }

    /// Puts the whitespace and comments before the next significant token
    /// (or the end) in place.
    pub(crate) fn trivia(&mut self) {
        while self.tokens.get(self.raw).is_some_and(|t| t.kind.is_trivia()) {
            self.token();
        }
    }

    /// Replaces the children from `first` on by a node of `kind` over them.
    pub(crate) fn finish_node(&mut self, kind: SyntaxKind, first: usize) {
        let node = GreenNode::new(kind.into(), self.children.drain(first..));
        let start = || TextSize::from((self.offset as u32) - u32::from(node.text_len()));
        match kind {
            SyntaxKind::ATTRPATH_VALUE => self.names.push(validation::binding_key(&node, start())),
            SyntaxKind::INHERIT => validation::inherit_keys(&node, start(), &mut self.names),
            SyntaxKind::ATTR_SET | SyntaxKind::LET_IN | SyntaxKind::LEGACY_LET => {
                // The names of this node's bindings: those noted since it
                // started (nested sets have taken theirs already).
                let start = start();
                let mut own = self.names.len();
                while own > 0 && self.names[own - 1].offset >= start {
                    own -= 1;
                }
                validation::check_bindings(&node, start, &self.names[own..], &mut self.errors);
                self.names.truncate(own);
            }
            SyntaxKind::PATTERN => validation::check_pattern(&node, start(), &mut self.errors),
            _ => {}
        }
        self.children.push(NodeOrToken::Node(node));
    }

    /// The root (the only child left), the errors of the checks, and the
    /// emptied stack for reuse.
    pub(crate) fn finish(mut self) -> (GreenNode, Vec<SyntaxError>, Vec<Child>) {
        debug_assert_eq!(self.raw, self.tokens.len());
        let root = match self.children.pop() {
            Some(NodeOrToken::Node(root)) if self.children.is_empty() => root,
            _ => unreachable!("the grammar builds exactly one root node"),
        };
        (root, self.errors, self.children)
    }
}
