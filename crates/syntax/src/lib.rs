//! neve-syntax: the lossless Nix parser that every other part of neve stands on.
//!
//! Source text is split into tokens by [`lexer`] (trivia included), parsed by
//! a recursive-descent [`parser`] that builds a rowan green tree as it goes, and
//! viewed through the typed [`ast`] generated from `grammar/nix.ungram`. The
//! tree is lossless: its text is the input, byte for byte, whatever the input
//! was. Errors never stop the parse; each carries a byte range, and
//! [`validation`] adds the checks CppNix makes while parsing (duplicate
//! attributes and formals, dynamic attributes where they are not allowed).
//!
//! Start at [`parse`] (or [`parse_bytes`] for input that may not be UTF-8).

pub mod ast;
pub mod bindings;
mod diagnostic;
mod kind;
pub mod lexer;
mod parser;
pub mod source;
pub mod stack;
mod validation;

pub use diagnostic::{code_snippet, LineIndex, SyntaxError};
pub use kind::{NixLanguage, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken};
pub use rowan::{GreenNode, TextRange, TextSize};

/// The result of parsing: a tree, always, and the errors found on the way.
#[derive(Clone, Debug)]
pub struct Parse {
    green: GreenNode,
    errors: Vec<SyntaxError>,
    /// Set when the input was not UTF-8 and its stray bytes were mapped to
    /// stand-in characters (see [`source`]).
    mapped_bytes: bool,
    /// Set when the tree may be too deep for rowan's recursive drop (long
    /// operator chains): it is then taken down in steps.
    deep: bool,
}

impl PartialEq for Parse {
    fn eq(&self, other: &Parse) -> bool {
        (&self.green, &self.errors, self.mapped_bytes) == (&other.green, &other.errors, other.mapped_bytes)
    }
}

impl Eq for Parse {}

impl Drop for Parse {
    /// Rowan drops a node's children recursively, a few native frames per
    /// level: a tree as deep as a long operator chain would overflow the
    /// stack. Every node at a depth that is a multiple of `STEP` is held
    /// first; dropping the root then stops at the held nodes, which are
    /// let go shallowest first, each freeing at most `STEP` levels.
    fn drop(&mut self) {
        const STEP: u32 = 256;
        if !self.deep {
            return;
        }
        let mut held: Vec<(u32, GreenNode)> = Vec::new();
        let mut walk: Vec<(&rowan::GreenNodeData, u32)> = vec![(&self.green, 0)];
        while let Some((node, depth)) = walk.pop() {
            for child in node.children() {
                if let rowan::NodeOrToken::Node(child) = child {
                    if (depth + 1) % STEP == 0 {
                        held.push((depth + 1, child.to_owned()));
                    }
                    walk.push((child, depth + 1));
                }
            }
        }
        held.sort_by_key(|&(depth, _)| depth);
        drop(std::mem::replace(&mut self.green, GreenNode::new(SyntaxKind::ROOT.into(), std::iter::empty())));
        for (_, node) in held {
            drop(node);
        }
    }
}

impl Parse {
    pub fn syntax(&self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.clone())
    }

    pub fn green(&self) -> &GreenNode {
        &self.green
    }

    /// The typed root of the tree.
    pub fn root(&self) -> ast::Root {
        use ast::AstNode;
        ast::Root::cast(self.syntax()).expect("the parser always produces a ROOT node")
    }

    /// Syntax and validation errors, in source order.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Whether the tree text stands for bytes that were not UTF-8.
    pub fn has_mapped_bytes(&self) -> bool {
        self.mapped_bytes
    }

    /// The source bytes the tree was parsed from, exactly.
    pub fn source_bytes(&self) -> Vec<u8> {
        let text = self.syntax().text().to_string();
        if self.mapped_bytes {
            source::unmap_bytes(&text)
        } else {
            text.into_bytes()
        }
    }
}

/// Parses Nix source text.
pub fn parse(src: &str) -> Parse {
    parse_mapped(src, false)
}

/// Parses Nix source given as bytes. Bytes that are not UTF-8 are kept:
/// inside strings and comments they are ordinary content (as in CppNix);
/// elsewhere they are invalid tokens.
pub fn parse_bytes(src: &[u8]) -> Parse {
    match std::str::from_utf8(src) {
        Ok(text) => parse_mapped(text, false),
        Err(_) => parse_mapped(&source::map_bytes(src), true),
    }
}

fn parse_mapped(src: &str, mapped_bytes: bool) -> Parse {
    // Rowan addresses text with u32 offsets.
    if src.len() > u32::MAX as usize / 2 {
        let green = rowan::GreenNode::new(SyntaxKind::ROOT.into(), std::iter::empty());
        let error = SyntaxError::new("file too large to parse".into(), TextRange::empty(0.into()));
        return Parse { green, errors: vec![error], mapped_bytes, deep: false };
    }
    let mut scratch = parser::Scratch::take();
    // Room for typical code (about four bytes a token), so that a big file
    // does not copy the array as it grows.
    scratch.tokens.reserve(src.len() / 3 + 16);
    let lex_errors = lexer::tokenize_into(src, &mut scratch.tokens);
    let parser::Parsed { green, mut errors, validation, deep } = parser::parse_tokens(src, &mut scratch);
    scratch.give_back();
    errors.extend(
        lex_errors
            .into_iter()
            .map(|e| SyntaxError::new(e.message, TextRange::new((e.start as u32).into(), (e.end as u32).into()))),
    );
    errors.extend(validation);
    errors.sort_by_key(|e| e.range.start());
    Parse { green, errors, mapped_bytes, deep }
}
