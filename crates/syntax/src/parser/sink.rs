//! Replays parser events over the full token list to build the green tree.
//!
//! The tree is built directly with `GreenNode::new` rather than rowan's
//! `GreenNodeBuilder`: nodes are not deduplicated (little is shared between
//! nodes of real code), and tokens are shared through a cache that needs no
//! hashing for the many kinds whose text never varies.

use rowan::{GreenNode, GreenToken, GreenTokenData, NodeOrToken};
use rustc_hash::FxHashMap;

use super::Event;
use crate::lexer::Token;
use crate::SyntaxKind;

type GreenElement = NodeOrToken<GreenNode, GreenToken>;

/// Tokens longer than this are not worth looking up in the cache.
const MAX_CACHED_LEN: usize = 24;

struct TokenCache<'s> {
    /// For kinds with fixed text (keywords, punctuation): one token each.
    by_kind: Vec<Option<GreenToken>>,
    /// Whitespace of the common shapes: one space, or a newline followed
    /// by up to `INDENTS` spaces (index 0 is the single space).
    whitespace: Vec<Option<GreenToken>>,
    /// Short names and numbers.
    by_text: FxHashMap<(SyntaxKind, &'s str), GreenToken>,
    /// Nodes made of one shared token (`x` as a variable or a name, `1`),
    /// keyed by node kind and the token's address.
    leaves: FxHashMap<(SyntaxKind, *const GreenTokenData), GreenNode>,
}

impl<'s> TokenCache<'s> {
    fn new() -> TokenCache<'s> {
        TokenCache {
            by_kind: vec![None; SyntaxKind::ROOT as usize],
            whitespace: vec![None; INDENTS + 2],
            by_text: FxHashMap::default(),
            leaves: FxHashMap::default(),
        }
    }

    fn token(&mut self, kind: SyntaxKind, text: &'s str) -> GreenToken {
        if has_fixed_text(kind) {
            return self.by_kind[kind as usize].get_or_insert_with(|| GreenToken::new(kind.into(), text)).clone();
        }
        if kind == SyntaxKind::WHITESPACE {
            if let Some(slot) = whitespace_slot(text) {
                return self.whitespace[slot].get_or_insert_with(|| GreenToken::new(kind.into(), text)).clone();
            }
        }
        // Other text is too varied to be worth a lookup.
        if text.len() > MAX_CACHED_LEN || !matches!(kind, SyntaxKind::IDENT | SyntaxKind::INTEGER) {
            return GreenToken::new(kind.into(), text);
        }
        self.by_text.entry((kind, text)).or_insert_with(|| GreenToken::new(kind.into(), text)).clone()
    }
}

impl TokenCache<'_> {
    /// A node of `kind` over exactly `children`; single-token nodes are shared.
    fn node(&mut self, kind: SyntaxKind, children: std::vec::Drain<'_, GreenElement>) -> GreenNode {
        if children.len() == 1 {
            if let Some(NodeOrToken::Token(t)) = children.as_slice().first() {
                let key = (kind, &**t as *const GreenTokenData);
                if let Some(node) = self.leaves.get(&key) {
                    return node.clone();
                }
                let node = GreenNode::new(kind.into(), children);
                self.leaves.insert(key, node.clone());
                return node;
            }
        }
        GreenNode::new(kind.into(), children)
    }
}

const INDENTS: usize = 32;

/// The whitespace cache's slot for `text`, if it has a common shape.
fn whitespace_slot(text: &str) -> Option<usize> {
    match text.as_bytes() {
        b" " => Some(0),
        [b'\n', rest @ ..] if rest.len() <= INDENTS && rest.iter().all(|&b| b == b' ') => Some(rest.len() + 1),
        _ => None,
    }
}

fn has_fixed_text(kind: SyntaxKind) -> bool {
    use SyntaxKind::*;
    (kind as u16) >= (ASSERT_KW as u16) && (kind as u16) <= (PIPE_FROM as u16)
        || matches!(kind, DQUOTE | IND_STRING_CLOSE)
}

/// Builds the tree. Trivia between tokens go to the innermost node open at
/// that point, except that trivia before a node's first token stay outside
/// it, so nodes begin and end at significant tokens (the root excepted).
pub(crate) fn build_tree(src: &str, tokens: &[Token], events: &mut [Event]) -> GreenNode {
    let mut sink =
        Sink { src, tokens, cache: TokenCache::new(), children: Vec::with_capacity(64), token_idx: 0, offset: 0 };
    // Open nodes: kind and where their children start in `children`.
    let mut open: Vec<(SyntaxKind, usize)> = Vec::with_capacity(64);
    let mut forward: Vec<SyntaxKind> = Vec::new();

    for i in 0..events.len() {
        match std::mem::replace(&mut events[i], Event::Tombstone) {
            Event::Start { kind, forward_parent } => {
                // The chain of forward parents opens outermost first.
                forward.push(kind);
                let mut idx = i;
                let mut fp = forward_parent;
                while let Some(delta) = fp {
                    idx += delta.get() as usize;
                    fp = match std::mem::replace(&mut events[idx], Event::Tombstone) {
                        Event::Start { kind, forward_parent } => {
                            forward.push(kind);
                            forward_parent
                        }
                        _ => unreachable!("a forward parent points at a start event"),
                    };
                }
                for kind in forward.drain(..).rev() {
                    if !open.is_empty() {
                        sink.trivia();
                    }
                    open.push((kind, sink.children.len()));
                }
            }
            Event::Finish => {
                if open.len() == 1 {
                    // The root takes whatever trivia is left.
                    sink.trivia();
                }
                let (kind, first) = open.pop().expect("finish matches a start");
                let node = sink.cache.node(kind, sink.children.drain(first..));
                sink.children.push(NodeOrToken::Node(node));
            }
            Event::Token => {
                sink.trivia();
                sink.token();
            }
            Event::Tombstone => {}
        }
    }
    match sink.children.pop() {
        Some(NodeOrToken::Node(root)) if sink.children.is_empty() => root,
        _ => unreachable!("the events describe exactly one root node"),
    }
}

struct Sink<'s> {
    src: &'s str,
    tokens: &'s [Token],
    cache: TokenCache<'s>,
    children: Vec<GreenElement>,
    token_idx: usize,
    offset: usize,
}

impl Sink<'_> {
    fn token(&mut self) {
        let t = self.tokens[self.token_idx];
        let end = self.offset + t.len as usize;
        let token = self.cache.token(t.kind, &self.src[self.offset..end]);
        self.children.push(NodeOrToken::Token(token));
        self.offset = end;
        self.token_idx += 1;
    }

    fn trivia(&mut self) {
        while self.tokens.get(self.token_idx).is_some_and(|t| t.kind.is_trivia()) {
            self.token();
        }
    }
}
