//! Builds the green tree while the grammar runs.
//!
//! The builder walks the full token list (trivia included) in step with the
//! parser: consuming a significant token first puts the trivia before it in
//! place. Completed children wait on a stack; completing a node replaces its
//! children on the stack by the node, built with `GreenNode::new` (exact
//! size, one allocation).
//!
//! Sharing: rowan trees are immutable, so identical subtrees may be one
//! object. Tokens whose text repeats (keywords, punctuation, common
//! whitespace, short names and numbers) come from a cache, and small nodes
//! whose children are all shared are hash-consed on (kind, children's
//! addresses): every `x` as a variable, `{ }`, `pkgs.lib` or `inherit x;`
//! is built once. Nodes with many children are not looked up (they rarely
//! repeat, and hashing them would cost more than building them).
//!
//! The parse-time checks of [`crate::validation`] run on each set, `let` and
//! pattern node as it is completed, so there is no second walk over the tree.

use rowan::{GreenNode, GreenToken, NodeOrToken, TextSize};
use rustc_hash::FxHashMap;

use crate::lexer::Token;
use crate::{validation, SyntaxError, SyntaxKind};

type GreenElement = NodeOrToken<GreenNode, GreenToken>;

/// Tokens longer than this are not worth looking up in the cache.
const MAX_CACHED_LEN: usize = 24;

/// Nodes with more children than this are never shared.
const MAX_SHARED_CHILDREN: usize = 3;

const INDENTS: usize = 32;

/// A finished child of a node still being built.
pub(crate) struct Child {
    element: GreenElement,
    /// Whether `element` is the cache's one copy of it, so that its address
    /// stands for its content.
    shared: bool,
}

impl Child {
    fn unshared_token(kind: SyntaxKind, text: &str) -> Child {
        Child { element: NodeOrToken::Token(GreenToken::new(kind.into(), text)), shared: false }
    }

    fn addr(&self) -> usize {
        match &self.element {
            NodeOrToken::Node(n) => &**n as *const rowan::GreenNodeData as usize,
            NodeOrToken::Token(t) => &**t as *const rowan::GreenTokenData as usize,
        }
    }
}

/// Where the builder stood, to go back to (see `Marker::abandon`).
#[derive(Clone, Copy)]
pub(crate) struct Checkpoint {
    len: u32,
    raw: u32,
    offset: u32,
}

#[derive(PartialEq, Eq, Hash)]
struct NodeKey {
    kind: u16,
    children: [usize; MAX_SHARED_CHILDREN],
}

struct Cache<'s> {
    /// For kinds with fixed text (keywords, punctuation): one token each.
    by_kind: Vec<Option<GreenToken>>,
    /// Whitespace of the common shapes (see `whitespace_slot`).
    whitespace: Vec<Option<GreenToken>>,
    /// Short names and numbers.
    by_text: FxHashMap<(SyntaxKind, &'s [u8]), GreenToken>,
    /// Small nodes made of shared children.
    nodes: FxHashMap<NodeKey, GreenNode>,
}

impl<'s> Cache<'s> {
    fn new() -> Cache<'s> {
        Cache {
            by_kind: vec![None; SyntaxKind::ROOT as usize],
            whitespace: vec![None; 1 + NEWLINES * (INDENTS + 1)],
            by_text: FxHashMap::default(),
            nodes: FxHashMap::default(),
        }
    }

    /// The token of `kind` over `src[start..end]`. The cached kinds are
    /// looked up by their bytes: only a token that must be made needs its
    /// text as `str`.
    #[inline]
    fn token(&mut self, kind: SyntaxKind, src: &'s str, start: usize, end: usize) -> Child {
        let bytes = &src.as_bytes()[start..end];
        let slot = match kind {
            SyntaxKind::WHITESPACE => match whitespace_slot(bytes) {
                Some(slot) => &mut self.whitespace[slot],
                None => return Child::unshared_token(kind, &src[start..end]),
            },
            SyntaxKind::IDENT | SyntaxKind::INTEGER if bytes.len() <= MAX_CACHED_LEN => {
                let token = self
                    .by_text
                    .entry((kind, bytes))
                    .or_insert_with(|| GreenToken::new(kind.into(), &src[start..end]))
                    .clone();
                return Child { element: NodeOrToken::Token(token), shared: true };
            }
            _ if has_fixed_text(kind) => &mut self.by_kind[kind as usize],
            // Other text is too varied to be worth a lookup.
            _ => return Child::unshared_token(kind, &src[start..end]),
        };
        let token = slot.get_or_insert_with(|| GreenToken::new(kind.into(), &src[start..end])).clone();
        Child { element: NodeOrToken::Token(token), shared: true }
    }

    /// A node of `kind` over `children[first..]`, which it takes.
    fn node(&mut self, kind: SyntaxKind, children: &mut Vec<Child>, first: usize) -> Child {
        let parts = &children[first..];
        if parts.len() <= MAX_SHARED_CHILDREN && parts.iter().all(|c| c.shared) {
            let mut key = NodeKey { kind: kind as u16, children: [0; MAX_SHARED_CHILDREN] };
            for (slot, child) in key.children.iter_mut().zip(parts) {
                *slot = child.addr();
            }
            if let Some(node) = self.nodes.get(&key) {
                children.truncate(first);
                return Child { element: NodeOrToken::Node(node.clone()), shared: true };
            }
            let node = GreenNode::new(kind.into(), children.drain(first..).map(|c| c.element));
            self.nodes.insert(key, node.clone());
            return Child { element: NodeOrToken::Node(node), shared: true };
        }
        let node = GreenNode::new(kind.into(), children.drain(first..).map(|c| c.element));
        Child { element: NodeOrToken::Node(node), shared: false }
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
    cache: Cache<'s>,
    /// Errors of the parse-time checks.
    errors: Vec<SyntaxError>,
}

impl<'s> Builder<'s> {
    /// A builder over `tokens`; `children` is an empty vector to reuse.
    pub(crate) fn new(src: &'s str, tokens: &'s [Token], children: Vec<Child>) -> Builder<'s> {
        debug_assert!(children.is_empty());
        Builder { src, tokens, raw: 0, offset: 0, children, cache: Cache::new(), errors: Vec::new() }
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
        debug_assert!(self.children[c.len as usize..].iter().all(|c| match &c.element {
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
        let child = self.cache.token(t.kind, self.src, self.offset, end);
        self.children.push(child);
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
        let child = self.cache.node(kind, &mut self.children, first);
        if validation::is_checked(kind) {
            if let NodeOrToken::Node(node) = &child.element {
                let start = TextSize::from((self.offset as u32) - u32::from(node.text_len()));
                validation::check(node, start, &mut self.errors);
            }
        }
        self.children.push(child);
    }

    /// The root (the only child left), the errors of the checks, and the
    /// emptied stack for reuse.
    pub(crate) fn finish(mut self) -> (GreenNode, Vec<SyntaxError>, Vec<Child>) {
        debug_assert_eq!(self.raw, self.tokens.len());
        let root = match self.children.pop() {
            Some(Child { element: NodeOrToken::Node(root), .. }) if self.children.is_empty() => root,
            _ => unreachable!("the grammar builds exactly one root node"),
        };
        (root, self.errors, self.children)
    }
}
